/**
 * A PATCH body leaves out what it does not change. Lucid's `merge()` would treat
 * an `undefined` as a new value, so absent fields are dropped before merging.
 */
export function definedOnly<Values extends Record<string, unknown>>(values: Values) {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined)
  ) as Partial<Values>
}
