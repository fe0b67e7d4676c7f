/*
 * The stores and orders of the dispatch bench. The same two stores are created in
 * the hub (dispatch_setup.ts) and used by the no-hub baseline (dispatch_baseline.ts),
 * so both send the carriers identical shops and identical deliveries.
 */
import type { HubOrder } from '#sdk/contract'

export interface BenchStore {
  code: string
  name: string
  address: string
  city: string
  lat: number
  lng: number
  contactName: string
  contactPhone: string
}

/** The demo tenant's stores (commands/demo_setup.ts): Chaoyang and Haidian, Beijing. */
export const BENCH_STORES: readonly BenchStore[] = [
  {
    code: 'BJ-CY',
    name: '朝阳门店 Chaoyang',
    address: '北京市朝阳区建国路93号万达广场B座1层',
    city: '北京',
    lat: 39.9087,
    lng: 116.4751,
    contactName: '王店长',
    contactPhone: '13910000001',
  },
  {
    code: 'BJ-HD',
    name: '海淀门店 Haidian',
    address: '北京市海淀区中关村大街19号',
    city: '北京',
    lat: 39.9841,
    lng: 116.3163,
    contactName: '李店长',
    contactPhone: '13910000002',
  },
]

const DISHES = ['牛肉面×1', '炸酱面×2', '小笼包×1, 豆浆×2', '酸辣粉×1', '担担面×1, 卤蛋×1']
const NAMES = ['张三', '李四', '王五', '赵六']

/**
 * Order n (0-based) of a run: alternating stores, the recipient 0.8-3.2 km
 * (straight line) from the store in every direction, so road distance stays
 * inside every carrier's range (own fleet: 5 km) while prices differ per order
 * and carriers win different orders. 0.6-4.5 kg of food: no weight surcharges
 * that would exclude anyone. Deterministic in n.
 */
export function benchOrderFields(n: number) {
  const storeIndex = n % BENCH_STORES.length
  const store = BENCH_STORES[storeIndex]
  const angle = ((n * 137.508) % 360) * (Math.PI / 180) // golden angle: even spread
  const km = 0.8 + ((n * 7919) % 2400) / 1000
  const lat = store.lat + (km / 111.2) * Math.sin(angle)
  const lng = store.lng + (km / (111.2 * Math.cos((store.lat * Math.PI) / 180))) * Math.cos(angle)
  return {
    storeIndex,
    recipient: {
      name: NAMES[n % NAMES.length],
      phone: `1380013${String(n % 10_000).padStart(4, '0')}`,
      address: `北京市${storeIndex ? '海淀区' : '朝阳区'}示例路${10 + (n % 90)}号${1 + (n % 6)}单元${100 + (n % 900)}室`,
      city: store.city,
      lat: Math.round(lat * 1e6) / 1e6,
      lng: Math.round(lng * 1e6) / 1e6,
    },
    items_summary: DISHES[n % DISHES.length],
    item_count: 1 + (n % 3),
    weight_g: 600 + ((n * 131) % 3900),
    declared_value_fen: 2800 + ((n * 450) % 9000),
    category: 'food',
    notes: '请放门口',
  }
}

/** The POS body for POST /api/v1/orders/batch. */
export function posBenchOrder(n: number, storeIds: readonly number[], externalId: string) {
  const { storeIndex, ...fields } = benchOrderFields(n)
  return { store_id: storeIds[storeIndex], channel: 'pos', external_id: externalId, ...fields }
}

/** The same order as the hub hands it to a carrier plugin (dispatch order_facts hubOrder). */
export function hubBenchOrder(n: number, orderId: string, externalId: string): HubOrder {
  const { storeIndex, ...fields } = benchOrderFields(n)
  const store = BENCH_STORES[storeIndex]
  return {
    id: orderId,
    external_id: externalId,
    store: {
      name: store.name,
      address: store.address,
      city: store.city,
      lat: store.lat,
      lng: store.lng,
      contact_name: store.contactName,
      contact_phone: store.contactPhone,
    },
    recipient: fields.recipient,
    items_summary: fields.items_summary,
    item_count: fields.item_count,
    weight_g: fields.weight_g,
    declared_value_fen: fields.declared_value_fen,
    category: fields.category,
    notes: fields.notes,
    tip_fen: 0,
  }
}
