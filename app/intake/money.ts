/**
 * Yuan amounts arrive as decimals (12.3); fen are integers. Rounding the scaled
 * value avoids 0.1 + 0.2 style drift (19.99 * 100 = 1998.9999…).
 */
export function yuanToFen(yuan: number): number {
  return Math.round(yuan * 100)
}
