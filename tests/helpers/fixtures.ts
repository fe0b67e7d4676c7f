import { randomUUID } from 'node:crypto'
import Merchant from '#models/merchant'
import Store from '#models/store'
import User, { type UserRole } from '#models/user'
import Order from '#models/order'
import { issueApiKey } from '#services/api_key_service'

/**
 * Each test builds its own tenant, so tests never share rows and can run in any
 * order against a database that is only reset once per run.
 */
export async function createTenant(options: { tier?: Merchant['tier'] } = {}) {
  const suffix = randomUUID().slice(0, 8)
  const merchant = await Merchant.create({
    name: `Test merchant ${suffix}`,
    code: `m-${suffix}`,
    tier: options.tier ?? 'standard',
    status: 'active',
    contactPhone: '13800000000',
  })
  const stores = await Store.createMany([
    {
      merchantId: merchant.id,
      code: 'S1',
      name: 'Chaoyang store',
      address: '北京市朝阳区建国路88号',
      city: '北京',
      lat: 39.9087,
      lng: 116.4605,
      contactName: '王店长',
      contactPhone: '13900000001',
    },
    {
      merchantId: merchant.id,
      code: 'S2',
      name: 'Haidian store',
      address: '北京市海淀区中关村大街27号',
      city: '北京',
      lat: 39.9834,
      lng: 116.3162,
      contactName: '李店长',
      contactPhone: '13900000002',
    },
  ])
  const { apiKey, secret } = await issueApiKey(merchant.id, 'test key')
  return { merchant, stores, apiKey, key: secret }
}

let sequence = 0

/** A valid order for the given store; override any field. */
export function validOrder(storeId: number, overrides: Record<string, unknown> = {}) {
  sequence += 1
  return {
    store_id: storeId,
    channel: 'pos',
    external_id: `POS-${Date.now()}-${sequence}`,
    recipient: {
      name: '张三',
      phone: '13812345678',
      address: '北京市朝阳区光华路9号院3号楼1502室',
      city: '北京',
      lat: 39.915,
      lng: 116.455,
    },
    items_summary: '宫保鸡丁×1, 米饭×2',
    item_count: 3,
    weight_g: 1200,
    declared_value_fen: 5800,
    category: 'food',
    tags: ['lunch'],
    notes: '请放门口',
    ...overrides,
  }
}

export async function createUser(
  role: UserRole,
  merchantId: number | null = null,
  password = 'correct horse battery'
) {
  const suffix = randomUUID().slice(0, 8)
  const user = await User.create({
    email: `${role}-${suffix}@example.test`,
    fullName: `${role} ${suffix}`,
    password,
    role,
    merchantId,
  })
  const token = await User.accessTokens.create(user)
  return { user, password, token: token.value!.release() }
}

/** Raw HTTP for cases the API client cannot express (malformed JSON, odd content types). */
export async function rawRequest(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {}
) {
  const url = `http://${process.env.HOST}:${process.env.PORT}${path}`
  const response = await fetch(url, { method, body: options.body, headers: options.headers })
  const text = await response.text()
  let json: any = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: response.status, headers: response.headers, text, json }
}

export async function countOrders(merchantId: number) {
  const [row] = await Order.query().where('merchant_id', merchantId).count('* as total')
  return Number(row.$extras.total)
}

/*
 * Console (admin API) helpers.
 */
import { createOrder } from '#services/order_intake_service'

/** An order of this tenant, stored by the intake service exactly as a POS would. */
export async function createOrderFor(merchant: Merchant, storeId: number) {
  return createOrder(merchant, validOrder(storeId))
}

/** Two tenants and a console user of each role: the cast of most admin tests. */
export async function createConsoleCast() {
  const a = await createTenant()
  const b = await createTenant()
  return {
    a,
    b,
    admin: await createUser('admin'),
    operator: await createUser('operator'),
    integrator: await createUser('integrator'),
    merchantA: await createUser('merchant', a.merchant.id),
    merchantB: await createUser('merchant', b.merchant.id),
  }
}
