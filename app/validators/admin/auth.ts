import vine from '@vinejs/vine'
import { email } from '#validators/admin/fields'

/** No length rule beyond a sanity cap: the login form must not hint at password policy. */
export const loginValidator = vine.compile(
  vine.object({
    email: email(),
    password: vine.string().minLength(1).maxLength(256),
  })
)
