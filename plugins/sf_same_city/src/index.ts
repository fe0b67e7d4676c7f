/**
 * SF Same-city (顺丰同城) carrier plugin: the openic.sf-express.com open platform.
 * Same skeleton as the own-fleet reference: index (wiring), mapper (pure), client
 * (HTTP), units (codes and conversions).
 */
import { definePlugin } from '../../sdk/index.js'
import { SfClient } from './client.js'
import * as mapper from './mapper.js'
import type { SfConfig } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<SfConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new SfClient(ctx)
    const { config } = ctx
    return {
      quote: async (order) =>
        mapper.parseQuote(
          await client.send(mapper.buildQuoteRequest(order, config, client.pushTime()))
        ),
      create: async (order, _quote, idempotencyKey) =>
        mapper.parseCreate(
          await client.send(
            mapper.buildCreateRequest(order, idempotencyKey, config, client.pushTime())
          )
        ),
      preCancel: async (ref) =>
        mapper.parsePreCancel(
          await client.send(mapper.buildPreCancelRequest(ref, config, client.pushTime()))
        ),
      cancel: async (ref, reason) =>
        mapper.parseCancel(
          await client.send(mapper.buildCancelRequest(ref, reason, config, client.pushTime()))
        ),
      addTip: async (ref, amountFen) => {
        await client.send(mapper.buildTipRequest(ref, amountFen, config, client.pushTime()))
      },
      track: async (ref) =>
        mapper.parseTrack(
          await client.send(mapper.buildTrackRequest(ref, config, client.pushTime()))
        ),
      riderLocation: async (ref) =>
        mapper.parseRiderLocation(
          await client.send(mapper.buildRiderLocationRequest(ref, config, client.pushTime()))
        ),
      verifyWebhook: async (request) => mapper.verifyWebhook(request, config),
    }
  },
})
