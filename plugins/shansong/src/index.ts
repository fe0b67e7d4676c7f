/**
 * Shansong (闪送) carrier plugin: the open.ishansong.com merchants/v5 platform.
 * Same skeleton as the own-fleet reference: index (wiring), mapper (pure), client
 * (HTTP), units (codes and conversions).
 */
import { definePlugin } from '../../sdk/index.js'
import { ShansongClient } from './client.js'
import * as mapper from './mapper.js'
import type { ShansongConfig } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<ShansongConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new ShansongClient(ctx)
    const { config } = ctx
    return {
      quote: async (order) =>
        mapper.parseQuote(await client.send(mapper.buildQuoteRequest(order)), ctx.clock.now()),
      create: async (_order, quote) =>
        mapper.parseCreate(await client.send(mapper.buildCreateRequest(quote)), quote),
      preCancel: async (ref) =>
        mapper.parsePreCancel(await client.send(mapper.buildPreCancelRequest(ref))),
      cancel: async (ref) => mapper.parseCancel(await client.send(mapper.buildCancelRequest(ref))),
      addTip: async (ref, amountFen) => {
        await client.send(mapper.buildTipRequest(ref, amountFen))
      },
      track: async (ref) => mapper.parseTrack(await client.send(mapper.buildTrackRequest(ref))),
      riderLocation: async (ref) =>
        mapper.parseRiderLocation(await client.send(mapper.buildRiderLocationRequest(ref))),
      verifyWebhook: async (request) => mapper.verifyWebhook(request, config),
    }
  },
})
