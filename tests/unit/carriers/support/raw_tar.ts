/**
 * Writes tarballs byte by byte, so tests can build packages that no well-behaved
 * tool would produce: `../` paths, absolute paths, symlinks, devices.
 */
import { gzipSync } from 'node:zlib'

export interface RawTarEntry {
  path: string
  /** '0' file, '2' symlink, '5' directory, '3' character device. */
  type?: '0' | '1' | '2' | '3' | '5'
  content?: string | Buffer
  linkTarget?: string
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function header(entry: RawTarEntry, size: number): Buffer {
  const block = Buffer.alloc(512, 0)
  block.write(entry.path, 0, 100, 'utf8')
  block.write(octal(0o644, 8), 100, 'ascii')
  block.write(octal(0, 8), 108, 'ascii')
  block.write(octal(0, 8), 116, 'ascii')
  block.write(octal(size, 12), 124, 'ascii')
  block.write(octal(0, 12), 136, 'ascii')
  block.fill(' ', 148, 156) // checksum field counts as spaces while summing
  block.write(entry.type ?? '0', 156, 'ascii')
  if (entry.linkTarget) block.write(entry.linkTarget, 157, 100, 'utf8')
  block.write('ustar\0', 257, 'ascii')
  block.write('00', 263, 'ascii')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 'ascii')
  return block
}

export function rawTarGz(entries: RawTarEntry[]): Buffer {
  const blocks: Buffer[] = []
  for (const entry of entries) {
    const content =
      entry.type && entry.type !== '0' ? Buffer.alloc(0) : Buffer.from(entry.content ?? '')
    blocks.push(header(entry, content.length), content)
    const padding = (512 - (content.length % 512)) % 512
    blocks.push(Buffer.alloc(padding, 0))
  }
  blocks.push(Buffer.alloc(1024, 0))
  return gzipSync(Buffer.concat(blocks))
}
