import User, { type UserRole } from '#models/user'
import ProblemException from '#exceptions/problem'
import { isUniqueViolation } from '#services/idempotency_service'
import { keysetPage, type PageInput } from '#services/keyset_pagination'
import { pendingChanges } from '#services/audit_changes'
import { definedOnly } from '#services/defined_only'

export interface UserFilters extends PageInput {
  role?: UserRole
  merchant_id?: number
}

export interface UserInput {
  email: string
  full_name?: string | null
  password: string
  role: UserRole
  merchant_id?: number | null
}

export interface UserPatch {
  full_name?: string | null
  password?: string
  role?: UserRole
  merchant_id?: number | null
}

export function listUsers(filters: UserFilters) {
  const query = User.query()
  if (filters.role) query.where('role', filters.role)
  if (filters.merchant_id) query.where('merchant_id', filters.merchant_id)
  return keysetPage(query, 'user', filters)
}

export async function findUser(id: number) {
  const user = await User.find(id)
  if (!user) throw ProblemException.notFound(`User ${id}`)
  return user
}

export async function createUser(input: UserInput) {
  try {
    return await User.create({
      email: input.email,
      fullName: input.full_name ?? null,
      password: input.password,
      role: input.role,
      merchantId: input.role === 'merchant' ? (input.merchant_id ?? null) : null,
    })
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    throw new ProblemException({
      status: 409,
      slug: 'duplicate-user',
      title: 'Conflict',
      detail: `A user with email ${input.email} already exists`,
      errors: [{ pointer: '/email', rule: 'unique', message: 'is already registered' }],
    })
  }
}

function refuseOnSelf(actor: User, target: User, what: string) {
  if (actor.id === target.id) {
    throw ProblemException.conflict(`You cannot ${what} your own account`, 'self-change')
  }
}

/**
 * The validator guarantees a merchant for merchant users; leaving that role drops
 * the merchant. A new password ends every session of that user, so a leaked
 * password stops working the moment an admin resets it.
 */
export async function updateUser(actor: User, user: User, patch: UserPatch) {
  // An admin demoting themselves could leave the platform without any admin.
  if (patch.role !== undefined && patch.role !== user.role) {
    refuseOnSelf(actor, user, 'change the role of')
  }

  const role = patch.role ?? user.role
  user.merge(
    definedOnly({
      fullName: patch.full_name,
      password: patch.password,
      role: patch.role,
      merchantId: role === 'merchant' ? patch.merchant_id : null,
    })
  )
  const changes = pendingChanges(user, ['password'])
  await user.save()
  if (patch.password !== undefined) {
    for (const token of await User.accessTokens.all(user)) {
      await User.accessTokens.delete(user, token.identifier)
    }
  }
  return changes
}

/** Access tokens go with the user (foreign key cascade); API keys they made stay. */
export async function deleteUser(actor: User, user: User) {
  refuseOnSelf(actor, user, 'delete')
  await user.delete()
}
