import vine from '@vinejs/vine'

/** Same limits as the POS cancel body (cancelInputSchema). */
export const cancelOrderValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(1).maxLength(255).optional(),
  })
)

/** A tip large enough to matter, small enough to be a tip (¥500). */
export const tipValidator = vine.compile(
  vine.object({
    amount_fen: vine.number().withoutDecimals().range([1, 50_000]),
  })
)

export const exceptionListValidator = vine.compile(
  vine.object({
    cursor: vine.number().withoutDecimals().positive().optional(),
    limit: vine.number().withoutDecimals().range([1, 200]).optional(),
  })
)
