import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'

/*
 * Abilities that are not about one kind of resource. Per-resource role checks
 * (merchants, stores, users, API keys, orders) live in app/policies.
 */

/** The audit log spans every merchant and names users and IPs: admins only. */
export const viewAuditLog = Bouncer.ability((user: User) => user.role === 'admin')
