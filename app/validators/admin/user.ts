import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { USER_ROLES, type UserRole } from '#models/user'
import { email, id, label, newPassword, pageFields } from '#validators/admin/fields'

/** On update the role may be omitted: the user's current role then decides. */
function effectiveRole(field: FieldContext): UserRole | undefined {
  return field.parent?.role ?? field.meta.currentRole
}

/**
 * A merchant_id on an admin or operator would look tenant-bound while the role
 * sees every merchant, so it is rejected rather than silently dropped.
 */
const onlyForMerchantUsers = vine.createRule((value, _options, field) => {
  if (value === null || value === undefined) return
  if (effectiveRole(field) !== 'merchant') {
    field.report('The {{ field }} field is only allowed when role is merchant', 'prohibited', field)
  }
})

const merchantId = () =>
  id()
    .exists({ table: 'merchants', column: 'id' })
    .use(onlyForMerchantUsers())
    .nullable()
    .optional()

export const userListValidator = vine.compile(
  vine.object({
    role: vine.enum(USER_ROLES).optional(),
    merchant_id: id().optional(),
    ...pageFields(),
  })
)

export const createUserValidator = vine.compile(
  vine.object({
    email: email(),
    full_name: label(120).nullable().optional(),
    password: newPassword(),
    role: vine.enum(USER_ROLES),
    merchant_id: merchantId().requiredWhen('role', '=', 'merchant'),
  })
)

/**
 * Becoming a merchant user needs a merchant; a merchant user keeps theirs when
 * merchant_id is left out, but cannot be set to none.
 */
export const updateUserValidator = vine.withMetaData<{ currentRole: UserRole }>().compile(
  vine.object({
    full_name: label(120).nullable().optional(),
    password: newPassword().optional(),
    role: vine.enum(USER_ROLES).optional(),
    merchant_id: merchantId().requiredWhen(
      (field) =>
        effectiveRole(field) === 'merchant' &&
        (field.meta.currentRole !== 'merchant' || field.value === null)
    ),
  })
)
