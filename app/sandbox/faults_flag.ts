/** `--faults` takes inline JSON or the path of a JSON file. */
import { readFile } from 'node:fs/promises'
import { parseFaultConfig, type FaultPatch } from '#sandbox/faults'

export async function readFaultsFlag(value: string): Promise<Record<string, FaultPatch>> {
  const text = value.trim().startsWith('{') ? value : await readFile(value, 'utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new RangeError(`--faults is not valid JSON: ${(error as Error).message}`)
  }
  return parseFaultConfig(parsed)
}
