/*
 * Recipient details are personal data: lists, logs and exports show them masked.
 */

/** 13812345678 → 138****5678; landlines keep the area code and last 4 digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '')
  if (digits.length <= 4) return '*'.repeat(phone.length)
  const head = phone.startsWith('0')
    ? phone.slice(0, phone.indexOf('-') > 0 ? phone.indexOf('-') : 3)
    : phone.slice(0, 3)
  const tail = phone.slice(-4)
  return `${head}****${tail}`
}

/**
 * Hides house, building and room numbers: every digit becomes `*`, so the street,
 * district and city stay readable for support but the door cannot be found.
 */
export function maskAddress(address: string): string {
  return address.replace(/[0-9０-９]/g, '*')
}

export function maskName(name: string): string {
  if (name.length <= 1) return '*'
  return name[0] + '*'.repeat(Math.min(name.length - 1, 3))
}
