/**
 * Meituan Peisong (美团配送) carrier plugin: preview price with preCreateByShop,
 * create with createByShop (delivery_id derived from the hub's idempotency key is
 * the retry key), cancel with order/delete, tip, status, rider location and
 * signed status callbacks.
 */
import { definePlugin } from '../../sdk/index.js'
import { MeituanClient } from './client.js'
import * as mapper from './mapper.js'
import type { MeituanConfig } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<MeituanConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new MeituanClient(ctx)
    const { config, clock, random } = ctx
    return {
      quote: async (order) =>
        mapper.parseQuote(
          await client.send(mapper.buildQuoteRequest(order, config)),
          config,
          clock.now()
        ),
      create: async (order, _quote, idempotencyKey) =>
        mapper.parseCreate(
          await client.send(mapper.buildCreateRequest(order, idempotencyKey, config))
        ),
      cancel: async (ref, reason) => {
        await client.send(mapper.buildCancelRequest(ref, reason))
        return {}
      },
      addTip: async (ref, amountFen) => {
        await client.send(mapper.buildTipRequest(ref, amountFen, `tip-${random.nonce(16)}`))
      },
      track: async (ref) =>
        mapper.parseTrack(await client.send(mapper.buildTrackRequest(ref)), clock.now()),
      riderLocation: async (ref) =>
        mapper.parseRiderLocation(
          await client.send(mapper.buildRiderLocationRequest(ref)),
          clock.now()
        ),
      verifyWebhook: async (request) => mapper.verifyWebhook(request, config, clock.now()),
    }
  },
})
