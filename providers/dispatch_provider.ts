import type { ApplicationService } from '@adonisjs/core/types'
import { hostname } from 'node:os'
import { dispatchConfig } from '#config/dispatch'
import { DispatchRuntime } from '#dispatch/pipeline/dispatch_runtime'

/**
 * Binds the dispatch runtime and connects it to the rest of the hub: new orders
 * are queued for dispatch, verified carrier callbacks move their orders. The
 * HTTP server also consumes jobs unless DISPATCH_WORKER=false (then run
 * `node ace dispatch:work` processes beside it).
 */
export default class DispatchProvider {
  #runtime: DispatchRuntime | null = null

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(DispatchRuntime, async (resolver) => {
      const logger = await resolver.make('logger')
      const { PluginNode } = await import('#carriers/registry/plugin_node')
      const { PluginCarrierGateway } = await import('#dispatch/pipeline/plugin_carrier_gateway')
      const { HistoryCarrierStats } = await import('#dispatch/pipeline/carrier_stats')
      const { activeRulesetFor } = await import('#services/rulesets/active_ruleset')
      const { recordDecision } = await import('#services/rulesets/decision_records')
      const { createWeatherSource, weatherConfigFromEnv } =
        await import('#weather/weather_source_factory')
      const weather = createWeatherSource(weatherConfigFromEnv())
      const nodeId = process.env.NODE_ID ?? `${hostname()}:${process.pid}`
      this.#runtime = new DispatchRuntime(
        {
          carriers: new PluginCarrierGateway(() => resolver.make(PluginNode)),
          rules: {
            async forMerchant(merchantId) {
              const active = await activeRulesetFor(merchantId)
              return { versionId: active.versionId, compiled: active.compiled }
            },
          },
          weather: {
            async current(city) {
              const report = await weather.current(city)
              return {
                condition: report.condition,
                temperature_c: report.temperature_c,
                wind_level: report.wind_level,
              }
            },
          },
          stats: new HistoryCarrierStats(),
          decisions: {
            async record(input) {
              await recordDecision(input)
            },
          },
        },
        logger.child({ component: 'dispatch' }),
        nodeId
      )
      return this.#runtime
    })
  }

  async ready() {
    const environment = this.app.getEnvironment()
    if (environment !== 'web' && environment !== 'test') return
    const emitter = await this.app.container.make('emitter')
    const { startLiveEvents } = await import('#dispatch/pipeline/live_events')
    startLiveEvents()
    // Rules dry runs may ask for live quotes: the same quoting dispatch does.
    const { registerQuoteProvider } = await import('#services/rulesets/quote_provider')
    registerQuoteProvider({
      quotesFor: async (facts) => {
        const runtime = await this.app.container.make(DispatchRuntime)
        return runtime.dispatcher.quoteForFacts(facts)
      },
    })
    emitter.on('orders:created', async ({ orderIds }) => {
      if (!dispatchConfig.onIntake || orderIds.length === 0) return
      const runtime = await this.app.container.make(DispatchRuntime)
      await runtime.enqueueOrders(orderIds)
    })
    emitter.on('carrier:webhook', async ({ accountId, events }) => {
      const runtime = await this.app.container.make(DispatchRuntime)
      await runtime.applyWebhookEvents(accountId, events)
    })
    // Tests start the worker themselves, on the data they set up.
    if (environment === 'web' && dispatchConfig.worker) {
      const runtime = await this.app.container.make(DispatchRuntime)
      await runtime.startWorker()
    }
  }

  async shutdown() {
    await this.#runtime?.stop()
  }
}
