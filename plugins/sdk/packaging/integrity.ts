/**
 * integrity.json: the sha256 of every other file in the package. It lets a node
 * check what it unpacked, and lets a registry spot a tampered upload; the tarball's
 * own sha256 (reported by pack) identifies the package as a whole.
 */
import { createHash } from 'node:crypto'

export const INTEGRITY_FILE = 'integrity.json'

export interface IntegrityDocument {
  algorithm: 'sha256'
  files: Record<string, string>
}

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex')
}

export function buildIntegrity(files: ReadonlyMap<string, Buffer>): IntegrityDocument {
  const entries = [...files.entries()]
    .filter(([path]) => path !== INTEGRITY_FILE)
    .sort(([left], [right]) => (left < right ? -1 : 1))
    .map(([path, content]): [string, string] => [path, sha256(content)])
  return { algorithm: 'sha256', files: Object.fromEntries(entries) }
}

/** Every problem with the integrity document against the files actually present. */
export function integrityProblems(files: ReadonlyMap<string, Buffer>): string[] {
  const raw = files.get(INTEGRITY_FILE)
  if (!raw) return [`${INTEGRITY_FILE} is missing (pack the plugin with the SDK's pack())`]
  let document: IntegrityDocument
  try {
    document = JSON.parse(raw.toString('utf8'))
  } catch (error) {
    return [`${INTEGRITY_FILE} is not valid JSON: ${(error as Error).message}`]
  }
  if (
    document?.algorithm !== 'sha256' ||
    typeof document.files !== 'object' ||
    document.files === null
  ) {
    return [`${INTEGRITY_FILE} must be {"algorithm": "sha256", "files": {path: hex}}`]
  }
  const problems: string[] = []
  for (const [path, expected] of Object.entries(document.files)) {
    const content = files.get(path)
    if (!content) {
      problems.push(`${INTEGRITY_FILE} lists ${path}, which is not in the package`)
    } else if (sha256(content) !== expected) {
      problems.push(
        `integrity mismatch for ${path}: expected sha256 ${expected}, got ${sha256(content)}`
      )
    }
  }
  for (const path of files.keys()) {
    if (path !== INTEGRITY_FILE && !(path in document.files)) {
      problems.push(`${path} is not covered by ${INTEGRITY_FILE}`)
    }
  }
  return problems
}
