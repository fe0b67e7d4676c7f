/**
 * What every carrier's end-to-end spec sets up: the real plugin, packed and installed
 * into a scratch dir as a user would install it, loaded into the hub's sandboxed
 * worker host, talking over HTTP to a test sandbox that runs the carrier's emulator;
 * a local receiver stands in for the hub's webhook endpoint. The spec keeps what is
 * its carrier's own: the account config and how callbacks find their way back.
 */
import type { Group } from '@japa/runner/core'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HubOrder, NormalizedEvent, RawWebhookRequest } from '#sdk/contract'
import { pack } from '#sdk/packaging/pack'
import { installPackage } from '#carriers/package_installer'
import { PluginHost, type MethodArgs } from '#carriers/plugin_host'
import type { CallAccount } from '#carriers/worker_protocol'
import type { CarrierMethodName } from '#sdk/manifest'
import type { CarrierEmulator } from '#sandbox/emulator'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import {
  startCallbackReceiver,
  type CallbackReceiver,
  type ReceivedCallback,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'

/** The running pieces an account builder may need (URLs, and the sandbox's accounts). */
export interface E2eServers {
  sandbox: RunningSandbox
  receiver: CallbackReceiver
}

export interface CarrierE2eSetup {
  carrier: string
  /** The plugin's folder, e.g. `new URL('../../../plugins/dada/', import.meta.url)`. */
  pluginDir: URL
  emulator: CarrierEmulator
  /**
   * One hub account per test, so each has its own breaker. `secret` replaces the
   * carrier's signing secret (app_secret, dev_key...) to provoke a signature refusal.
   */
  account(servers: E2eServers, id: string, secret?: string): CallAccount
  /**
   * For carriers that call back one URL registered per app (not per account or
   * order): that URL's path on the receiver, set on the sandbox account before each
   * test. Every received callback is then this app's; verification tells orders apart.
   */
  appCallback?: { accountKey: string; path: string }
  /** The carrier signs its callbacks in the URL's query (SF's `?sign=`). */
  signsInQuery?: boolean
  /** Keep the fixture order's tip (Meituan's specs); the others start without one. */
  keepFixtureTip?: boolean
}

export type CarrierE2eHarness = ReturnType<typeof carrierE2eHarness>

export function carrierE2eHarness(group: Group, setup: CarrierE2eSetup) {
  const { carrier } = setup
  let servers: E2eServers | undefined
  let pluginHost: PluginHost | undefined
  let fixtureOrder: HubOrder | undefined
  const running = () => {
    if (!servers) throw new Error(`The ${carrier} group has not been set up`)
    return servers
  }

  group.setup(async () => {
    const pluginDir = fileURLToPath(setup.pluginDir)
    const scratch = await mkdtemp(join(tmpdir(), `${carrier}-e2e-`))
    const packed = await pack(pluginDir, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    const receiver = await startCallbackReceiver()
    const sandbox = await startTestSandbox({ emulators: [setup.emulator] })
    servers = { sandbox, receiver }
    const host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    pluginHost = host
    await host.load(installed.dir)
    fixtureOrder = JSON.parse(await readFile(join(pluginDir, 'fixtures/order.json'), 'utf8'))
    return async () => {
      await host.shutdown()
      await sandbox.stop()
      await receiver.close()
      await rm(scratch, { recursive: true, force: true })
    }
  })
  group.each.setup(() => {
    const { sandbox, receiver } = running()
    sandbox.control.reset()
    sandbox.control.setWeather('*', { condition: 'clear' })
    if (setup.appCallback) {
      sandbox.control.setAccount(carrier, setup.appCallback.accountKey, {
        callbackUrl: `${receiver.url}${setup.appCallback.path}`,
      })
    }
    receiver.received.length = 0
  })

  const harness = {
    carrier,
    get sandbox() {
      return running().sandbox
    },
    get receiver() {
      return running().receiver
    },
    get host() {
      if (!pluginHost) throw new Error(`The ${carrier} group has not been set up`)
      return pluginHost
    },
    /** The plugin's fixture order, as read at setup. */
    get baseOrder() {
      if (!fixtureOrder) throw new Error(`The ${carrier} group has not been set up`)
      return fixtureOrder
    },

    account: (id: string, secret?: string) => setup.account(running(), id, secret),

    order: (id: string): HubOrder =>
      setup.keepFixtureTip
        ? { ...harness.baseOrder, id, external_id: `POS-${id}` }
        : { ...harness.baseOrder, id, external_id: `POS-${id}`, tip_fen: 0 },

    /** One plugin method through the host, for this carrier and account. */
    call: <M extends CarrierMethodName>(method: M, args: MethodArgs<M>, account: CallAccount) =>
      harness.host.call(carrier, method, args, { account }),

    /** The sandbox's view of one delivery (by the carrier's id or the client's). */
    delivery: (id: string) => harness.sandbox.control.delivery(carrier, id),

    /** The callbacks this account received (with one URL per app: all of them). */
    callbacksFor(accountId: string): ReceivedCallback[] {
      const { received } = harness.receiver
      if (setup.appCallback) return received
      const path = `/api/v1/webhooks/${accountId}`
      return setup.signsInQuery
        ? received.filter((callback) => callback.path.startsWith(`${path}?`))
        : received.filter((callback) => callback.path === path)
    },

    /** A received callback as the hub hands it to the plugin. */
    asWebhook(callback: ReceivedCallback): RawWebhookRequest {
      const query = setup.signsInQuery
        ? Object.fromEntries(new URL(callback.path, harness.receiver.url).searchParams)
        : {}
      return { headers: callback.headers, body: callback.body, query }
    },

    /** Every callback the account received, verified by the plugin; optionally one order's. */
    async verified(account: CallAccount, carrierOrderId?: string): Promise<NormalizedEvent[]> {
      const events: NormalizedEvent[] = []
      for (const callback of harness.callbacksFor(account.id)) {
        const mine = await harness.host.verifyWebhook(carrier, account, harness.asWebhook(callback))
        events.push(
          ...(carrierOrderId === undefined
            ? mine
            : mine.filter((event) => event.carrierOrderId === carrierOrderId))
        )
      }
      return events
    },

    /** Quotes and creates an order on a fresh account, as the hub's dispatcher would. */
    async place(accountId: string, orderId: string) {
      const acct = harness.account(accountId)
      const hubOrder = harness.order(orderId)
      const quote = await harness.call('quote', [hubOrder], acct)
      const created = await harness.call('create', [hubOrder, quote, `${orderId}:attempt-1`], acct)
      return { acct, quote, created, ref: { orderId, carrierOrderId: created.carrierOrderId } }
    },

    /** With the sandbox clock stopped: jumps to the planned acceptance and waits for it. */
    async untilAccepted(deliveryId: string) {
      const accepted = harness.delivery(deliveryId)!.plan.find((step) => step.state === 'accepted')!
      harness.sandbox.control.setClock({ at: new Date(accepted.at) })
      await harness.sandbox.control.waitFor(
        () => harness.delivery(deliveryId)!.state === 'accepted'
      )
    },

    /** A quote from an account the carrier refuses: the error, for its name and code. */
    refusedQuote: (account: CallAccount, orderId: string) =>
      harness.call('quote', [harness.order(orderId)], account).catch((error) => error),
  }
  return harness
}
