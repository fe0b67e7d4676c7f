/*
 * Small statistics and plain-text table helpers shared by the benches.
 */

/** Nearest-rank percentile of already sorted values (p in 0..100). */
export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export function median(values: number[]) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function fixed(value: number, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '-'
}

/** Thousands separators for throughput figures. */
export function grouped(value: number) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-'
}

/** A left-aligned first column and right-aligned figures, separated by two spaces. */
export function table(headers: string[], rows: string[][]) {
  const widths = headers.map((header, i) =>
    Math.max(displayWidth(header), ...rows.map((row) => displayWidth(row[i] ?? '')))
  )
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - displayWidth(cell))
        return i === 0 ? cell + pad : pad + cell
      })
      .join('  ')
      .trimEnd()
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** CJK characters take two terminal columns. */
function displayWidth(text: string) {
  let width = 0
  for (const char of text) width += /[\u1100-\uffff]/.test(char) ? 2 : 1
  return width
}
