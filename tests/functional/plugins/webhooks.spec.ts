import { test } from '@japa/runner'
import emitter from '@adonisjs/core/services/emitter'
import CarrierWebhookEvent from '#models/carrier_webhook_event'
import type CarrierAccount from '#models/carrier_account'
import {
  receiveWebhook,
  type CarrierWebhookReceived,
} from '#services/plugins/webhook_intake_service'
import { createUser, rawRequest } from '#tests/helpers/fixtures'
import {
  ensureOwnFleet,
  fleetEvent,
  OWN_FLEET_SECRET,
  ownFleetAccount,
  pause,
  removeScratch,
  signedFleetCallback,
  waitFor,
} from '#tests/functional/plugins/support/plugin_packages'

const ACCOUNTS = '/api/v1/admin/carrier-accounts'

function post(account: number, body: string, headers: Record<string, string>) {
  return rawRequest('POST', `/api/v1/webhooks/${account}`, { body, headers })
}

/** A fresh own-fleet event, signed with `secret`, posted to `account`. */
function postSigned(account: number, secret = OWN_FLEET_SECRET) {
  const { body, signature } = signedFleetCallback(fleetEvent(), { secret })
  return post(account, body, { 'content-type': 'application/json', 'x-fleet-signature': signature })
}

async function stored(account: CarrierAccount) {
  return CarrierWebhookEvent.query().where('carrier_account_id', account.id).orderBy('id')
}

test.group('Carrier webhooks', (group) => {
  let account: CarrierAccount
  group.setup(async () => {
    await ensureOwnFleet()
    account = await ownFleetAccount()
  })
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('a signed callback is stored once with its raw body; a resend is acknowledged only', async ({
    assert,
  }) => {
    const received: CarrierWebhookReceived[] = []
    const listener = (event: CarrierWebhookReceived) => {
      received.push(event)
    }
    emitter.on('carrier:webhook', listener)
    try {
      const event = fleetEvent({ status: 'picked_up' })
      const { body, signature } = signedFleetCallback(event)
      const headers = {
        'content-type': 'application/json',
        'x-fleet-signature': signature,
        'authorization': 'Bearer should-not-be-stored',
      }

      const first = await post(account.id, body, headers)
      assert.equal(first.status, 200)
      assert.deepEqual(first.json, { ok: true })
      const rows = await stored(account)
      assert.lengthOf(rows, 1)
      const row = rows[0]
      assert.equal(row.eventId, event.event_id)
      assert.equal(row.carrierOrderId, event.delivery_id)
      assert.equal(row.status, 'picked_up')
      assert.equal(row.carrierStatus, 'picked_up')
      assert.equal(row.pluginId, 'own_fleet')
      assert.equal(row.rawBody, body)
      assert.isNull(row.processedAt)
      assert.equal(row.occurredAt.toUnixInteger(), event.occurred_at)
      assert.equal(row.headers['x-fleet-signature'], signature)
      assert.notProperty(row.headers, 'authorization')
      assert.deepEqual(row.event.rider, { name: '张三', phone: '13700003333' })

      await waitFor('the carrier:webhook event', async () => received.length === 1, 2_000, 10)
      assert.equal(received[0].accountId, account.id)
      assert.deepEqual(
        received[0].events.map((e) => [e.id, e.eventId, e.status]),
        [[row.id, event.event_id, 'picked_up']]
      )

      const resend = await post(account.id, body, headers)
      assert.equal(resend.status, 200)
      assert.deepEqual(resend.json, { ok: true })
      assert.lengthOf(await stored(account), 1)
      assert.lengthOf(received, 1)
    } finally {
      emitter.off('carrier:webhook', listener)
    }
  })

  test('any content type is verified over the bytes as sent', async ({ assert }) => {
    for (const contentType of ['text/plain; charset=utf-8', 'application/x-fleet-callback']) {
      const event = fleetEvent()
      // Odd spacing on purpose: a re-serialized body would no longer match the signature.
      const body = JSON.stringify(event, null, 1)
      const { signature } = signedFleetCallback(event, { body })
      const response = await post(account.id, body, {
        'content-type': contentType,
        'x-fleet-signature': signature,
      })
      assert.equal(response.status, 200, `${contentType}: ${response.text}`)
      const row = await CarrierWebhookEvent.findByOrFail('event_id', event.event_id)
      assert.equal(row.rawBody, body)
    }
  })

  test('a bad signature is a 401 and nothing is stored', async ({ assert }) => {
    const event = fleetEvent()
    const forged = signedFleetCallback(event, { secret: 'not-the-secret-at-all' })
    const response = await post(account.id, forged.body, {
      'content-type': 'application/json',
      'x-fleet-signature': forged.signature,
    })
    assert.equal(response.status, 401)
    assert.equal(response.json.type, 'https://courier-hub.dev/problems/invalid-signature')
    const missing = await post(account.id, forged.body, { 'content-type': 'application/json' })
    assert.equal(missing.status, 401)
    assert.isNull(await CarrierWebhookEvent.findBy('event_id', event.event_id))

    // Forged callbacks never trip the breaker that guards quotes, nor the callback one.
    for (let i = 0; i < 8; i++) {
      await post(account.id, forged.body, {
        'content-type': 'application/json',
        'x-fleet-signature': forged.signature,
      })
    }
    const genuine = signedFleetCallback(fleetEvent())
    const accepted = await post(account.id, genuine.body, {
      'content-type': 'application/json',
      'x-fleet-signature': genuine.signature,
    })
    assert.equal(accepted.status, 200)
  })

  test('events outside the time window are refused and nothing is stored', async ({ assert }) => {
    const now = Math.floor(Date.now() / 1000)
    for (const occurredAt of [now - 20 * 60, now + 10 * 60]) {
      // Signed just now, so only the hub's window (not the plugin's signature age) refuses it.
      const event = fleetEvent({ occurred_at: occurredAt })
      const { body, signature } = signedFleetCallback(event)
      const response = await post(account.id, body, {
        'content-type': 'application/json',
        'x-fleet-signature': signature,
      })
      assert.equal(response.status, 400)
      assert.equal(response.json.type, 'https://courier-hub.dev/problems/stale-event')
      assert.equal(response.json.errors[0].rule, 'timestamp')
      assert.isNull(await CarrierWebhookEvent.findBy('event_id', event.event_id))
    }
  })

  test('oversize bodies are 413, unknown accounts 404, multipart 415', async ({ assert }) => {
    const event = fleetEvent({ note: 'x'.repeat(300 * 1024) })
    const { body, signature } = signedFleetCallback(event)
    const big = await post(account.id, body, {
      'content-type': 'application/json',
      'x-fleet-signature': signature,
    })
    assert.equal(big.status, 413)
    const bigText = await post(account.id, body, {
      'content-type': 'application/x-fleet-callback',
      'x-fleet-signature': signature,
    })
    assert.equal(bigText.status, 413)
    assert.isNull(await CarrierWebhookEvent.findBy('event_id', event.event_id))

    const small = signedFleetCallback(fleetEvent())
    const unknown = await post(987654, small.body, {
      'content-type': 'application/json',
      'x-fleet-signature': small.signature,
    })
    assert.equal(unknown.status, 404)
    const notAnId = await post(Number.NaN, small.body, { 'content-type': 'application/json' })
    assert.equal(notAnId.status, 404)

    const form = new FormData()
    form.set('payload', small.body)
    const multipart = await fetch(
      `http://${process.env.HOST}:${process.env.PORT}/api/v1/webhooks/${account.id}`,
      { method: 'POST', body: form }
    )
    assert.equal(multipart.status, 415)
  })
})

/*
 * The intake reuses resolved accounts for a few seconds; changes made through the
 * console must still apply to the very next callback.
 */
test.group('Carrier webhooks | account changes and concurrency', (group) => {
  group.setup(() => ensureOwnFleet())
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('a secret rotated through the API applies to the very next callback', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const account = await ownFleetAccount()
    // Looked up (and kept) with the old secret first.
    const before = await postSigned(account.id)
    assert.equal(before.status, 200)

    const rotated = 'sk_rotated_for_callbacks_77'
    const patched = await client
      .patch(`${ACCOUNTS}/${account.id}`)
      .bearerToken(admin.token)
      .json({ config: { apiSecret: rotated } })
    patched.assertStatus(200)

    const fresh = await postSigned(account.id, rotated)
    assert.equal(fresh.status, 200, fresh.text)
    const old = await postSigned(account.id)
    assert.equal(old.status, 401)
    assert.equal(old.json.type, 'https://courier-hub.dev/problems/invalid-signature')
  })

  test('a disabled account still takes callbacks; a deleted one is a 404 at once', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const account = await ownFleetAccount()
    const enabled = await postSigned(account.id)
    assert.equal(enabled.status, 200)

    const disabled = await client
      .patch(`${ACCOUNTS}/${account.id}`)
      .bearerToken(admin.token)
      .json({ enabled: false })
    disabled.assertStatus(200)
    const stillTaken = await postSigned(account.id)
    assert.equal(stillTaken.status, 200)

    const removed = await client.delete(`${ACCOUNTS}/${account.id}`).bearerToken(admin.token)
    removed.assertStatus(204)
    const event = fleetEvent()
    const { body, signature } = signedFleetCallback(event)
    const gone = await post(account.id, body, {
      'content-type': 'application/json',
      'x-fleet-signature': signature,
    })
    assert.equal(gone.status, 404)
    assert.equal(gone.json.type, 'https://courier-hub.dev/problems/not-found')
    assert.isNull(await CarrierWebhookEvent.findBy('event_id', event.event_id))
  })

  test('the same callback posted 8 times at once is stored and announced once', async ({
    assert,
  }) => {
    const account = await ownFleetAccount()
    const received: CarrierWebhookReceived[] = []
    const listener = (event: CarrierWebhookReceived) => {
      if (event.accountId === account.id) received.push(event)
    }
    emitter.on('carrier:webhook', listener)
    try {
      const event = fleetEvent({ status: 'picked_up' })
      const { body, signature } = signedFleetCallback(event)
      const headers = { 'content-type': 'application/json', 'x-fleet-signature': signature }
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(account.id, body, headers))
      )
      assert.deepEqual(
        answers.map((answer) => [answer.status, answer.json]),
        Array.from({ length: 8 }, () => [200, { ok: true }])
      )
      const rows = await stored(account)
      assert.lengthOf(rows, 1)
      assert.equal(rows[0].eventId, event.event_id)
      assert.equal(rows[0].rawBody, body)
      await waitFor('the carrier:webhook event', async () => received.length === 1, 2_000, 10)
      assert.deepEqual(received[0], {
        accountId: account.id,
        pluginId: 'own_fleet',
        events: [
          {
            id: rows[0].id,
            eventId: event.event_id,
            carrierOrderId: event.delivery_id,
            status: 'picked_up',
            carrierStatus: 'picked_up',
            occurredAt: new Date(event.occurred_at * 1000).toISOString(),
          },
        ],
      })

      // The outcome the controller does not show: one stored, the rest duplicates.
      const again = signedFleetCallback(fleetEvent())
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () =>
          receiveWebhook(account.id, {
            body: again.body,
            headers: { 'content-type': 'application/json', 'x-fleet-signature': again.signature },
            query: {},
          })
        )
      )
      assert.equal(
        outcomes.reduce((sum, outcome) => sum + outcome.accepted, 0),
        1
      )
      assert.equal(
        outcomes.reduce((sum, outcome) => sum + outcome.duplicates, 0),
        7
      )
      assert.lengthOf(await stored(account), 2)
      await waitFor(
        'the second carrier:webhook event',
        async () => received.length === 2,
        2_000,
        10
      )
      // Nothing more is announced for the duplicates.
      await pause(50)
      assert.lengthOf(received, 2)
    } finally {
      emitter.off('carrier:webhook', listener)
    }
  })

  test('an event as big as the body limit allows is stored whole, never cut short', async ({
    assert,
  }) => {
    const account = await ownFleetAccount()
    // Within the body limit, but more than a MySQL TEXT column holds.
    const note = '长'.repeat(40 * 1024)
    const event = fleetEvent({ note })
    const { body, signature } = signedFleetCallback(event)
    const response = await post(account.id, body, {
      'content-type': 'application/json',
      'x-fleet-signature': signature,
    })
    assert.equal(response.status, 200)
    const row = await CarrierWebhookEvent.findBy('event_id', event.event_id)
    assert.equal(row?.event.note, note, 'stored whole')
  })
})
