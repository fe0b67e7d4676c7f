import vine from '@vinejs/vine'
import { label, latitude, longitude, pageFields, phone } from '#validators/admin/fields'

/** POS systems already number their stores ("S1", "BJ-012"): keep their spelling. */
const storeCode = () =>
  vine
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)

const storeFields = () => ({
  name: label(120),
  code: storeCode(),
  address: label(255),
  city: label(64),
  lat: latitude(),
  lng: longitude(),
  contact_name: label(64),
  contact_phone: phone(),
})

export const storeListValidator = vine.compile(vine.object({ ...pageFields() }))

export const createStoreValidator = vine.compile(vine.object(storeFields()))

const patch = storeFields()
export const updateStoreValidator = vine.compile(
  vine.object({
    name: patch.name.optional(),
    code: patch.code.optional(),
    address: patch.address.optional(),
    city: patch.city.optional(),
    lat: patch.lat.optional(),
    lng: patch.lng.optional(),
    contact_name: patch.contact_name.optional(),
    contact_phone: patch.contact_phone.optional(),
  })
)
