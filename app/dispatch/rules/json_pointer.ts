/** RFC 6901 pointers, built segment by segment as the validator walks a document. */
export function pointerTo(base: string, ...segments: Array<string | number>): string {
  return segments.reduce<string>(
    (pointer, segment) =>
      `${pointer}/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`,
    base
  )
}
