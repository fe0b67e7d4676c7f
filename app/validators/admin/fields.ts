import vine from '@vinejs/vine'
import { CHINA_BOUNDS, PHONE_PATTERN } from '#schemas/order_intake_schema'

/*
 * Field rules shared by the console validators. Phone and coordinate rules reuse
 * the intake constants so a store and an order are checked the same way.
 */

export const MAX_PAGE_SIZE = 200

export const label = (maxLength: number) => vine.string().trim().minLength(1).maxLength(maxLength)

export const phone = () => vine.string().trim().regex(new RegExp(PHONE_PATTERN))

/** GCJ-02 only exists inside China; a point outside the box is a typo or the wrong datum. */
export const latitude = () => vine.number().range([CHINA_BOUNDS.minLat, CHINA_BOUNDS.maxLat])
export const longitude = () => vine.number().range([CHINA_BOUNDS.minLng, CHINA_BOUNDS.maxLng])

/** Emails are stored lower-cased so uniqueness and login ignore case on every database. */
export const email = () => vine.string().trim().maxLength(254).email().toLowerCase()

/**
 * Long passphrases beat complexity rules; the upper bound keeps scrypt from being
 * fed megabytes by a hostile request.
 */
export const newPassword = () => vine.string().minLength(12).maxLength(128)

export const id = () => vine.number().withoutDecimals().positive()

/** `cursor` and `limit` of every keyset-paginated console list. */
export const pageFields = () => ({
  cursor: vine.string().maxLength(64).optional(),
  limit: vine.number().withoutDecimals().range([1, MAX_PAGE_SIZE]).optional(),
})
