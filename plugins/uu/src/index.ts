/**
 * UU Paotui (UU 跑腿) carrier plugin: the openapi.uupt.com v2_0 platform.
 * Same skeleton as the own-fleet reference: index (wiring), mapper (pure), client
 * (HTTP), units (codes and conversions).
 */
import { definePlugin } from '../../sdk/index.js'
import { UuClient } from './client.js'
import * as mapper from './mapper.js'
import type { UuConfig } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<UuConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new UuClient(ctx)
    const { config } = ctx
    const penalty = async (ref: Parameters<typeof mapper.buildPreCancelRequest>[0]) =>
      mapper.parsePreCancel(await client.send(mapper.buildPreCancelRequest(ref)))
    return {
      quote: async (order) =>
        mapper.parseQuote(await client.send(mapper.buildQuoteRequest(order)), ctx.clock.now()),
      create: async (order, quote) =>
        mapper.parseCreate(await client.send(mapper.buildCreateRequest(order, quote, config))),
      preCancel: penalty,
      // cancelorder does not say what it charged, so the penalty is read just before.
      cancel: async (ref, reason) => {
        const { feeFen } = await penalty(ref)
        await client.send(mapper.buildCancelRequest(ref, reason))
        return { feeFen }
      },
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
