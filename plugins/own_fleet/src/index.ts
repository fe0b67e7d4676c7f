/**
 * Own-fleet carrier plugin: the merchant's own riders, dispatched through the fleet
 * API. The skeleton every carrier plugin follows: index (wiring), mapper (pure),
 * client (HTTP), units (codes and conversions).
 */
import { definePlugin } from '../../sdk/index.js'
import { FleetClient } from './client.js'
import * as mapper from './mapper.js'
import type { FleetConfig } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<FleetConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new FleetClient(ctx)
    const { config } = ctx
    return {
      quote: async (order) =>
        mapper.parseQuote(await client.send(mapper.buildQuoteRequest(order, config))),
      create: async (order, quote, idempotencyKey) =>
        mapper.parseCreate(
          await client.send(mapper.buildCreateRequest(order, quote, idempotencyKey, config))
        ),
      preCancel: async (ref) =>
        mapper.parsePreCancel(await client.send(mapper.buildPreCancelRequest(ref))),
      cancel: async (ref, reason) =>
        mapper.parseCancel(await client.send(mapper.buildCancelRequest(ref, reason))),
      addTip: async (ref, amountFen) => {
        await client.send(mapper.buildTipRequest(ref, amountFen))
      },
      track: async (ref) => mapper.parseTrack(await client.send(mapper.buildTrackRequest(ref))),
      riderLocation: async (ref) =>
        mapper.parseRiderLocation(await client.send(mapper.buildRiderLocationRequest(ref))),
      proofOfDelivery: async (ref) =>
        mapper.parseProof(await client.send(mapper.buildProofRequest(ref))),
      verifyWebhook: async (request) => mapper.verifyWebhook(request, config, ctx.clock.now()),
    }
  },
})
