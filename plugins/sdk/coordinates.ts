/**
 * Coordinate systems used by Chinese map and courier APIs. The hub stores GCJ-02
 * (国测局, what Amap and Tencent maps return); Baidu-based carriers want BD-09;
 * GPS devices report WGS-84. Meituan wants integers scaled by 1e6.
 *
 * GCJ-02 is an obfuscation with no closed-form inverse, so GCJ-02 → WGS-84 iterates
 * until the forward transform lands within a millimetre of the input.
 */
import type { CoordinateSystem } from './manifest.js'

export interface LatLng {
  lat: number
  lng: number
}

// Krasovsky 1940 ellipsoid, as used by the GCJ-02 transform.
const SEMI_MAJOR_AXIS = 6378245.0
const ECCENTRICITY_SQUARED = 0.00669342162296594323
const BD_FACTOR = (Math.PI * 3000.0) / 180.0

/** The GCJ-02 offset only applies inside mainland China (rough bounding box). */
export function isOutsideChina({ lat, lng }: LatLng): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function offsetLat(x: number, y: number): number {
  let result = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  result += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  result += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  result +=
    ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return result
}

function offsetLng(x: number, y: number): number {
  let result = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  result += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  result += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  result +=
    ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return result
}

export function wgs84ToGcj02(point: LatLng): LatLng {
  if (isOutsideChina(point)) return { ...point }
  const x = point.lng - 105.0
  const y = point.lat - 35.0
  const radLat = (point.lat / 180.0) * Math.PI
  const sinLat = Math.sin(radLat)
  const magic = 1 - ECCENTRICITY_SQUARED * sinLat * sinLat
  const sqrtMagic = Math.sqrt(magic)
  const dLat =
    (offsetLat(x, y) * 180.0) /
    (((SEMI_MAJOR_AXIS * (1 - ECCENTRICITY_SQUARED)) / (magic * sqrtMagic)) * Math.PI)
  const dLng =
    (offsetLng(x, y) * 180.0) / ((SEMI_MAJOR_AXIS / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return { lat: point.lat + dLat, lng: point.lng + dLng }
}

export function gcj02ToWgs84(point: LatLng): LatLng {
  if (isOutsideChina(point)) return { ...point }
  let guess: LatLng = { lat: point.lat, lng: point.lng }
  for (let iteration = 0; iteration < 30; iteration++) {
    const forward = wgs84ToGcj02(guess)
    const dLat = forward.lat - point.lat
    const dLng = forward.lng - point.lng
    guess = { lat: guess.lat - dLat, lng: guess.lng - dLng }
    if (Math.abs(dLat) < 1e-9 && Math.abs(dLng) < 1e-9) break
  }
  return guess
}

export function gcj02ToBd09(point: LatLng): LatLng {
  const { lat: y, lng: x } = point
  const z = Math.sqrt(x * x + y * y) + 0.00002 * Math.sin(y * BD_FACTOR)
  const theta = Math.atan2(y, x) + 0.000003 * Math.cos(x * BD_FACTOR)
  return { lat: z * Math.sin(theta) + 0.006, lng: z * Math.cos(theta) + 0.0065 }
}

export function bd09ToGcj02(point: LatLng): LatLng {
  const x = point.lng - 0.0065
  const y = point.lat - 0.006
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * BD_FACTOR)
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * BD_FACTOR)
  return { lat: z * Math.sin(theta), lng: z * Math.cos(theta) }
}

export function wgs84ToBd09(point: LatLng): LatLng {
  return gcj02ToBd09(wgs84ToGcj02(point))
}

export function bd09ToWgs84(point: LatLng): LatLng {
  return gcj02ToWgs84(bd09ToGcj02(point))
}

/** Converts between any two systems. */
export function convertCoordinates(
  point: LatLng,
  from: CoordinateSystem,
  to: CoordinateSystem
): LatLng {
  if (from === to) return { ...point }
  const gcj = from === 'gcj02' ? point : from === 'wgs84' ? wgs84ToGcj02(point) : bd09ToGcj02(point)
  if (to === 'gcj02') return { ...gcj }
  return to === 'wgs84' ? gcj02ToWgs84(gcj) : gcj02ToBd09(gcj)
}

/** 31.230416 → 31230416 with scale 1e6 (Meituan). Rounds to the nearest integer. */
export function toScaledInteger(value: number, scale = 1e6): number {
  return Math.round(value * scale)
}

export function fromScaledInteger(value: number | string, scale = 1e6): number {
  return Number(value) / scale
}

/** Rounds a coordinate to `digits` decimals for carriers that reject long decimals. */
export function roundCoordinate(value: number, digits = 6): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
