/**
 * Distances and positions on GCJ-02 coordinates. At city scale the offset between
 * GCJ-02 and WGS-84 is nearly constant, so haversine on GCJ-02 is accurate enough.
 */

export interface Point {
  lat: number
  lng: number
}

const EARTH_RADIUS_M = 6_371_000
const RAD = Math.PI / 180

/** Streets are not straight lines: couriers ride about 1.3 × the crow-flies distance. */
export const ROAD_FACTOR = 1.3

export function haversineM(a: Point, b: Point): number {
  const dLat = (b.lat - a.lat) * RAD
  const dLng = (b.lng - a.lng) * RAD
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}

export function roadDistanceM(a: Point, b: Point): number {
  return Math.round(haversineM(a, b) * ROAD_FACTOR)
}

/** Straight-line interpolation; `fraction` is clamped to [0, 1]. */
export function interpolate(a: Point, b: Point, fraction: number): Point {
  const f = Math.min(1, Math.max(0, fraction))
  return { lat: round6(a.lat + (b.lat - a.lat) * f), lng: round6(a.lng + (b.lng - a.lng) * f) }
}

/** The point `distanceM` away from `origin` in direction `bearingRad` (0 = north). */
export function offsetPoint(origin: Point, distanceM: number, bearingRad: number): Point {
  const dLat = (distanceM * Math.cos(bearingRad)) / EARTH_RADIUS_M / RAD
  const dLng =
    (distanceM * Math.sin(bearingRad)) / (EARTH_RADIUS_M * Math.cos(origin.lat * RAD)) / RAD
  return { lat: round6(origin.lat + dLat), lng: round6(origin.lng + dLng) }
}

export function isPoint(value: unknown): value is Point {
  const point = value as Point | null
  return (
    typeof point === 'object' &&
    point !== null &&
    Number.isFinite(point.lat) &&
    Number.isFinite(point.lng) &&
    Math.abs(point.lat) <= 90 &&
    Math.abs(point.lng) <= 180
  )
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
