/*
 * "did you mean" hints for typos in fact names, paths, operators and event types.
 */

function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index)
  for (let i = 1; i <= left.length; i++) {
    let diagonal = previous[0]
    previous[0] = i
    for (let j = 1; j <= right.length; j++) {
      const above = previous[j]
      const cost = left[i - 1] === right[j - 1] ? 0 : 1
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + cost)
      diagonal = above
    }
  }
  return previous[right.length]
}

export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const lowered = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = editDistance(lowered, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const tolerance = Math.max(2, Math.floor(input.length / 3))
  return bestDistance <= tolerance ? best : undefined
}

export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closestMatch(input, candidates)
  return match ? `; did you mean "${match}"?` : ''
}
