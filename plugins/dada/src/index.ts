/**
 * Dada (达达快送) carrier plugin: quote with queryDeliverFee, place the quoted
 * order with addAfterQuery (deliveryNo), tip, cancel with the penalty Dada
 * deducts, status query and signed status callbacks.
 */
import { definePlugin, type CarrierOrderRef } from '../../sdk/index.js'
import { DadaClient } from './client.js'
import * as mapper from './mapper.js'
import type { DadaConfig, DadaStatus } from './mapper.js'
import { STATUS_MAP } from './units.js'

export default definePlugin<DadaConfig>({
  statusMap: STATUS_MAP,
  create(ctx) {
    const client = new DadaClient(ctx)
    const { config, clock } = ctx
    // Tip, track and rider position all read Dada's one status query.
    const status = (ref: CarrierOrderRef) => client.send<DadaStatus>(mapper.buildStatusQuery(ref))
    return {
      quote: async (order) =>
        mapper.parseQuote(await client.send(mapper.buildQuoteRequest(order, config)), clock.now()),
      create: async (order, quote) =>
        mapper.parseCreate(await client.send(mapper.buildCreateRequest(quote)), order),
      cancel: async (ref, reason) =>
        mapper.parseCancel(await client.send(mapper.buildCancelRequest(ref, reason))),
      addTip: async (ref, amountFen) => {
        mapper.assertTipAmount(amountFen)
        await client.send(mapper.buildTipRequest(ref, await status(ref), amountFen, config))
      },
      track: async (ref) => mapper.parseTrack(await status(ref), clock.now()),
      riderLocation: async (ref) => mapper.parseRiderLocation(await status(ref), clock.now()),
      verifyWebhook: async (request) => mapper.verifyWebhook(request, config, clock.now()),
    }
  },
})
