/*
 * Order bodies as a POS sends them, for intake benches. Same shape as the
 * functional tests' validOrder(): an ASAP food order with Chinese text, so
 * payload sizes and utf8mb4 handling match real traffic.
 */
export function posOrder(storeId: number, externalId: string) {
  return {
    store_id: storeId,
    channel: 'pos',
    external_id: externalId,
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
  }
}
