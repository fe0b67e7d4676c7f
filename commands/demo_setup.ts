import { readFile, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

interface DemoCredentials {
  merchant_id: number
  api_key: string
  admin: { email: string; password: string }
  merchant_user: { email: string; password: string }
}

const DEMO_CODE = 'demo-noodle-bar'

/**
 * Seeds the demo tenant once (merchant, two stores, API key, admin and merchant
 * logins, a few orders) and prints the credentials on every start. Secrets are
 * only stored hashed in the database, so the demo keeps its own copy in
 * tmp/demo-credentials.json (never committed).
 */
export default class DemoSetup extends BaseCommand {
  static commandName = 'demo:setup'
  static description = 'Seed demo data (idempotent) and print the demo credentials'
  static options: CommandOptions = { startApp: true }

  @flags.string({
    description: 'Carrier sandbox to connect the demo stores to (e.g. http://127.0.0.1:4010)',
  })
  declare sandbox?: string

  @flags.string({ description: 'This hub as the sandbox reaches it, for status callbacks' })
  declare hubUrl?: string

  async run() {
    const credentialsPath = this.app.tmpPath('demo-credentials.json')
    const { default: Merchant } = await import('#models/merchant')
    let credentials = await this.readCredentials(credentialsPath)
    const existing = await Merchant.findBy('code', DEMO_CODE)
    const fresh = !existing || !credentials || credentials.merchant_id !== existing.id
    if (fresh) {
      credentials = await this.seed(existing?.id)
      await writeFile(credentialsPath, JSON.stringify(credentials, null, 2), { mode: 0o600 })
    }
    if (this.sandbox) await this.connectCarriers(credentials!.merchant_id)
    if (fresh) await this.seedOrders(credentials!.merchant_id)
    this.print(credentials!)
  }

  /**
   * Installs the shipped carrier plugins (like an admin uploading them) and gives
   * each demo store an account with every carrier, pointed at the sandbox.
   */
  private async connectCarriers(merchantId: number) {
    const { installBuiltinPlugins } = await import('#carriers/builtin_plugins')
    const { wireSandbox } = await import('#sandbox/hub_wiring')
    const { default: Store } = await import('#models/store')
    const installed = await installBuiltinPlugins()
    if (installed.length) this.logger.info(`Installed carrier plugins: ${installed.join(', ')}`)
    const stores = await Store.query().where('merchant_id', merchantId).orderBy('id')
    const links = await wireSandbox({
      sandboxUrl: this.sandbox!,
      hubUrl: this.hubUrl ?? `http://127.0.0.1:${process.env.PORT ?? '3333'}`,
      stores,
      merchantId,
    })
    const carriers = [...new Set(links.map((link) => link.carrier))]
    this.logger.info(`Demo stores connected to the carrier sandbox: ${carriers.join(', ')}`)
  }

  private async readCredentials(path: string): Promise<DemoCredentials | null> {
    try {
      return JSON.parse(await readFile(path, 'utf8'))
    } catch {
      return null
    }
  }

  private async seed(existingMerchantId?: number): Promise<DemoCredentials> {
    const { default: Merchant } = await import('#models/merchant')
    const { default: Store } = await import('#models/store')
    const { default: User } = await import('#models/user')
    const { issueApiKey } = await import('#services/api_key_service')
    // A database seeded by an earlier checkout without the credentials file: start the tenant over.
    if (existingMerchantId) await Merchant.query().where('id', existingMerchantId).delete()
    await User.query().whereIn('email', ['admin@demo.local', 'merchant@demo.local']).delete()

    const merchant = await Merchant.create({
      name: 'Demo Noodle Bar 示例面馆',
      code: DEMO_CODE,
      tier: 'standard',
      status: 'active',
      contactPhone: '01065290000',
    })
    await Store.createMany([
      {
        merchantId: merchant.id,
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
        merchantId: merchant.id,
        code: 'BJ-HD',
        name: '海淀门店 Haidian',
        address: '北京市海淀区中关村大街19号',
        city: '北京',
        lat: 39.9841,
        lng: 116.3163,
        contactName: '李店长',
        contactPhone: '13910000002',
      },
    ])
    const { secret } = await issueApiKey(merchant.id, 'demo POS')
    const adminPassword = randomBytes(9).toString('base64url')
    const merchantPassword = randomBytes(9).toString('base64url')
    await User.create({
      email: 'admin@demo.local',
      password: adminPassword,
      role: 'admin',
      fullName: 'Demo Admin',
    })
    await User.create({
      email: 'merchant@demo.local',
      password: merchantPassword,
      role: 'merchant',
      merchantId: merchant.id,
      fullName: 'Demo Merchant',
    })

    return {
      merchant_id: merchant.id,
      api_key: secret,
      admin: { email: 'admin@demo.local', password: adminPassword },
      merchant_user: { email: 'merchant@demo.local', password: merchantPassword },
    }
  }

  /** A first batch, dispatched as soon as the hub starts (when carriers are connected). */
  private async seedOrders(merchantId: number) {
    const { default: Merchant } = await import('#models/merchant')
    const { default: Store } = await import('#models/store')
    const { createBatch } = await import('#services/order_intake_service')
    const merchant = await Merchant.findOrFail(merchantId)
    const stores = await Store.query().where('merchant_id', merchantId).orderBy('id')
    const dishes = ['牛肉面×1', '炸酱面×2', '小笼包×1, 豆浆×2', '酸辣粉×1', '担担面×1, 卤蛋×1']
    const orders = Array.from({ length: 12 }, (_, i) => ({
      store_id: stores[i % 2].id,
      channel: i % 3 === 0 ? 'mini_program' : 'pos',
      external_id: `DEMO-${1000 + i}`,
      recipient: {
        name: ['张三', '李四', '王五', '赵六'][i % 4],
        phone: `1380013${String(8000 + i).padStart(4, '0')}`,
        address: `北京市${i % 2 ? '海淀区' : '朝阳区'}示例路${10 + i}号${i + 1}单元${100 + i}室`,
        city: '北京',
        // Within 1-4 km of the store, where every carrier delivers.
        lat: stores[i % 2].lat + ((i % 5) - 2) * 0.008,
        lng: stores[i % 2].lng + ((i % 4) - 1.5) * 0.01,
      },
      items_summary: dishes[i % dishes.length],
      item_count: 1 + (i % 3),
      weight_g: 600 + i * 150,
      declared_value_fen: 2800 + i * 450,
      category: 'food',
      tags: i % 5 === 0 ? ['vip'] : [],
    }))
    await createBatch(merchant, { orders })
  }

  private print(credentials: DemoCredentials) {
    const port = process.env.PORT ?? '3333'
    this.logger.log('')
    this.logger.log(this.colors.bold('Demo credentials'))
    this.logger.log(
      `  POS API key (demo merchant #${credentials.merchant_id}): ${credentials.api_key}`
    )
    this.logger.log(`  Admin login:    ${credentials.admin.email} / ${credentials.admin.password}`)
    this.logger.log(
      `  Merchant login: ${credentials.merchant_user.email} / ${credentials.merchant_user.password}`
    )
    this.logger.log('')
    this.logger.log(
      `  Try: curl -H "Authorization: Bearer ${credentials.api_key}" http://localhost:${port}/api/v1/orders`
    )
    this.logger.log(`  API reference: http://localhost:${port}/api/v1/openapi.json`)
    this.logger.log('')
  }
}
