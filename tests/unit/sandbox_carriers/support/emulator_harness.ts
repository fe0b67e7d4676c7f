/**
 * One carrier's emulator and its real plugin, wired together in process: the
 * plugin's adapter reaches the emulator through a stubbed fetch over a fake market,
 * so a spec checks both sides of the wire format at once. What differs per carrier
 * (config, signing, request formats, riders) stays in the spec.
 */
import type {
  CarrierEmulator,
  SandboxAccount,
  SandboxDelivery,
  SandboxResponse,
  EmulatorContext,
} from '#sandbox/emulator'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import type { CarrierMethods, HubOrder, PluginDefinition } from '#sdk/contract'
import {
  marketFor,
  NOW,
  type FakeMarket,
  type FakeMarketSetup,
} from '#tests/unit/sandbox_carriers/support/fake_market'

export interface EmulatorHarnessSetup<Config> extends FakeMarketSetup {
  plugin: PluginDefinition<Config>
}

export interface CallbackOptions {
  eventSeq: number
  forgeSignature?: boolean
  /** Only some carriers stamp the wall-clock send time; left out, the emulator uses its own. */
  sentAt?: Date
}

export function emulatorHarness<Config>(setup: EmulatorHarnessSetup<Config>) {
  const { emulator, plugin } = setup
  /** The plugin's adapter over `ctx`: each fetch becomes one `handle()` call. */
  function connect(ctx: EmulatorContext, config: Config, now: Date = NOW) {
    const answers: SandboxResponse[] = []
    const http = new StubHttp((request) => {
      const url = new URL(request.url)
      const answer = emulator.handle(
        {
          method: request.method,
          path: belowPrefix(emulator, url.pathname),
          query: Object.fromEntries(url.searchParams),
          headers: request.headers,
          rawBody: request.body ?? '',
        },
        ctx
      ) as SandboxResponse // the emulators answer synchronously
      answers.push(answer)
      return answer
    })
    const adapter = plugin.create(
      createTestContext({ config, http, now })
    ) as Required<CarrierMethods>
    return { adapter, http, answers }
  }

  return {
    /** A fresh market (context, sandbox account, quotes, deliveries) per call. */
    fakeMarket: marketFor(setup),
    connect,
    /**
     * Quotes and creates `order` through a new connection to a fresh `market`, whose
     * first delivery is then the one created.
     */
    async created(market: FakeMarket, config: Config, order: HubOrder, idempotencyKey: string) {
      const { adapter, answers, http } = connect(market.ctx, config)
      const quote = await adapter.quote(order)
      const result = await adapter.create(order, quote, idempotencyKey)
      const ref = { orderId: order.id, carrierOrderId: result.carrierOrderId }
      return {
        ...market,
        adapter,
        answers,
        http,
        quote,
        result,
        ref,
        delivery: market.deliveries[0],
      }
    },
    /** The emulator's callback for the delivery's current state, signed unless forged. */
    callback(delivery: SandboxDelivery, account: SandboxAccount, options: CallbackOptions) {
      return emulator.callback(delivery, account, NOW, { forgeSignature: false, ...options })
    },
  }
}

/** The sandbox serves each emulator under `/<carrier>`; the emulator sees the rest. */
function belowPrefix(emulator: CarrierEmulator, pathname: string) {
  const prefix = `/${emulator.carrier}`
  return pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname
}

/** The order every spec places (a noodle shop and a customer nearby); `n` numbers it. */
export function testOrder(n: number): HubOrder {
  return {
    id: `ord_${n}`,
    external_id: `POS-${n}`,
    store: {
      name: '老王面馆',
      address: '漕溪北路 88 号',
      city: '上海',
      lat: 31.190236,
      lng: 121.436525,
      contact_name: '王师傅',
      contact_phone: '13800001111',
    },
    recipient: {
      name: '李女士',
      phone: '13900002222',
      address: '天钥桥路 100 号',
      city: '上海',
      lat: 31.183467,
      lng: 121.443512,
    },
    items_summary: '牛肉面 x2',
    item_count: 2,
    weight_g: 1500,
    declared_value_fen: 6850,
    category: 'food',
    notes: '',
    tip_fen: 0,
  }
}

/** A callback as the hub hands it to the plugin, with the query the carrier put in the URL. */
export function asWebhook(
  callback: { headers: Record<string, string>; body: string },
  query: Record<string, string> = {}
) {
  return { headers: callback.headers, body: callback.body, query }
}
