import type { HttpContext } from '@adonisjs/core/http'
import { batchProgress } from '#services/batch_progress_service'
import { parseId } from '#controllers/orders_controller'

/** A POS following its batch: counts per status, throughput, whether it finished. */
export default class BatchesController {
  async show(ctx: HttpContext) {
    return ctx.serialize(await batchProgress(ctx.merchant!.id, parseId(ctx.params.id)))
  }
}
