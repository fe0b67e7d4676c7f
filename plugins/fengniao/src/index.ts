/**
 * Fengniao (蜂鸟即配) open platform v3 carrier plugin: token, preCreateOrder
 * quote, createOrder, addTip, preCancelOrder + cancelOrder, getOrderDetail,
 * getKnightInfo and signed status callbacks.
 */
import { definePlugin, type CarrierOrderRef } from '../../sdk/index.js'
import { FengniaoClient } from './client.js'
import * as mapper from './mapper.js'
import type { FengniaoConfig } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<FengniaoConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new FengniaoClient(ctx)
    const { config, clock } = ctx
    const preCancel = async (ref: CarrierOrderRef) =>
      mapper.parsePreCancel(await client.send(mapper.buildPreCancelRequest(ref, config)))
    return {
      quote: async (order) =>
        mapper.parseQuote(await client.send(mapper.buildQuoteRequest(order, config)), clock.now()),
      create: async (order, quote) =>
        mapper.parseCreate(await client.send(mapper.buildCreateRequest(order, quote, config))),
      preCancel,
      cancel: async (ref, reason) => {
        const { feeFen } = await preCancel(ref)
        await client.send(mapper.buildCancelRequest(ref, reason, feeFen, config))
        return { feeFen }
      },
      addTip: async (ref, amountFen) => {
        await client.send(mapper.buildTipRequest(ref, amountFen, clock.now().getTime()))
      },
      track: async (ref) =>
        mapper.parseTrack(await client.send(mapper.buildTrackRequest(ref)), clock.now()),
      riderLocation: async (ref) =>
        mapper.parseRiderLocation(await client.send(mapper.buildRiderRequest(ref)), clock.now()),
      verifyWebhook: async (request) => mapper.verifyWebhook(request, config, clock.now()),
    }
  },
})
