import { DateTime } from 'luxon'
import User from '#models/user'

/**
 * Console login. `verifyCredentials` hashes even for an unknown email, so timing
 * does not tell which emails exist, and both failures raise the same 401.
 */
export async function logIn(email: string, password: string) {
  const user = await User.verifyCredentials(email, password)
  const token = await User.accessTokens.create(user)
  user.lastLoginAt = DateTime.utc()
  await user.save()
  return { user, token }
}
