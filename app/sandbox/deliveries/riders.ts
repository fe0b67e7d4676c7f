/**
 * Rider identities, made up deterministically per (carrier, order, rider number), so
 * a replay shows the same riders and a re-dispatch shows a different one.
 */
import type { SandboxRider } from '#sandbox/emulator'
import { seededDigits, seededStream } from '#sandbox/random'

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
]
const GIVEN_NAMES = [
  '伟',
  '芳',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '杰',
  '涛',
  '明',
  '超',
  '斌',
  '鹏',
  '辉',
  '华',
  '建国',
]
const MOBILE_PREFIXES = ['13', '15', '17', '18', '19']

export function riderFor(
  seed: number,
  carrier: string,
  clientOrderId: string,
  riderIndex: number,
  position: { lat: number; lng: number }
): SandboxRider {
  const stream = seededStream(seed, 'rider', carrier, clientOrderId, riderIndex)
  const name = stream.pick(SURNAMES) + stream.pick(GIVEN_NAMES)
  const phone =
    stream.pick(MOBILE_PREFIXES) +
    seededDigits(seed, 9, 'rider-phone', carrier, clientOrderId, riderIndex)
  return {
    id: seededDigits(seed, 8, 'rider-id', carrier, clientOrderId, riderIndex),
    name,
    phone,
    lat: position.lat,
    lng: position.lng,
  }
}
