import { test } from '@japa/runner'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import { chinaTime } from '#sandbox/market/time_of_day'
import {
  createFleetDelivery,
  fleetCall,
  quoteBody,
  sandboxFleetConfig,
} from '#tests/functional/sandbox/support/fleet_client'
import { freshOwnFleet, startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'

const getJson = async (url: string): Promise<any> => {
  const response = await fetch(url)
  return response.json()
}

async function control(sandbox: RunningSandbox, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}/_control${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as any }
}

test.group('Sandbox | fault knobs', (group) => {
  let sandbox: RunningSandbox
  let config: ReturnType<typeof sandboxFleetConfig>

  group.setup(async () => {
    sandbox = await startTestSandbox({ faults: { '*': { latencyMs: 0 } } })
    config = sandboxFleetConfig(sandbox.url)
    return () => sandbox.stop()
  })
  group.each.setup(() => freshOwnFleet(sandbox, null))

  test('error rate 1 fails every call in the carrier’s own error format', async ({ assert }) => {
    const put = await control(sandbox, 'PUT', '/faults/own_fleet', { errorRate: 1 })
    assert.equal(put.status, 200)
    assert.equal(put.body.errorRate, 1)
    const answers = await Promise.all([
      fleetCall(config, 'POST', '/v1/quotes', quoteBody(config, 'ord_fault_1')),
      fleetCall(config, 'POST', '/v1/deliveries', {
        fleet_id: config.fleetId,
        quote_id: 'Q',
        request_id: 'r',
      }),
      fleetCall(config, 'GET', '/v1/deliveries/123/events'),
    ])
    for (const answer of answers) {
      assert.deepEqual(answer, { status: 500, body: { code: 50000, message: 'internal error' } })
    }
    const tally = sandbox.control.records({ carrier: 'own_fleet', summary: true }).carriers
      .own_fleet
    assert.equal(tally.requests.injectedErrors, 3)
    assert.equal(tally.requests.total, 3)
  })

  test('latency delays every answer', async ({ assert }) => {
    sandbox.control.setFaults('own_fleet', { latencyMs: 150 })
    const started = performance.now()
    const answer = await fleetCall(
      config,
      'POST',
      '/v1/quotes',
      quoteBody(config, 'ord_fault_slow')
    )
    assert.isAtLeast(performance.now() - started, 145)
    assert.equal(answer.body.code, 0)
  })

  test('an outage answers 503, or drops the connection', async ({ assert }) => {
    sandbox.control.setFaults('own_fleet', { outage: true })
    const down = await fleetCall(config, 'GET', '/v1/deliveries/1/events')
    assert.deepEqual(down, { status: 503, body: { code: 50300, message: 'service unavailable' } })
    sandbox.control.setFaults('own_fleet', { outage: 'reset' })
    await assert.rejects(() => fleetCall(config, 'GET', '/v1/deliveries/1/events'), /fetch failed/)
    assert.equal(sandbox.control.records({ summary: true }).carriers.own_fleet.requests.outages, 2)
  })

  test('the timeout knob holds requests open past the client’s timeout', async ({ assert }) => {
    sandbox.control.setFaults('own_fleet', { timeoutRate: 1 })
    const started = performance.now()
    const failure = await fleetCall(config, 'GET', '/v1/deliveries/1/events', undefined, {
      timeoutMs: 300,
    }).catch((error: Error) => error)
    assert.instanceOf(failure, Error)
    assert.equal((failure as Error).name, 'TimeoutError')
    assert.isAtLeast(performance.now() - started, 290)
    assert.equal(sandbox.control.records({ summary: true }).carriers.own_fleet.requests.timeouts, 1)
  })

  test('knobs are validated; `*` applies to every carrier; reset restores the start knobs', async ({
    assert,
  }) => {
    const bad = await control(sandbox, 'PUT', '/faults/own_fleet', { errorRate: 3 })
    assert.equal(bad.status, 400)
    assert.match(bad.body.error, /errorRate must be a number from 0 to 1/)
    await control(sandbox, 'PUT', '/faults/*', { duplicateRate: 0.5 })
    const faults = await control(sandbox, 'GET', '/faults')
    assert.equal(faults.body.effective.own_fleet.duplicateRate, 0.5)
    assert.equal(faults.body.effective.dada.duplicateRate, 0.5)
    await control(sandbox, 'POST', '/reset')
    const after = await control(sandbox, 'GET', '/faults')
    assert.deepEqual(after.body.set, { '*': { latencyMs: 0 } })
  })

  test('requests with a wrong signature or key are refused like the fleet API does', async ({
    assert,
  }) => {
    const wrongSecret = await fleetCall(
      { ...config, apiSecret: 'not-the-secret' },
      'POST',
      '/v1/quotes',
      quoteBody(config, 'x')
    )
    assert.deepEqual(wrongSecret, {
      status: 401,
      body: { code: 40102, message: 'signature mismatch' },
    })
    const wrongKey = await fleetCall(
      { ...config, apiKey: 'nobody' },
      'POST',
      '/v1/quotes',
      quoteBody(config, 'x')
    )
    assert.equal(wrongKey.body.code, 40101)
    const stale = await fleetCall(config, 'POST', '/v1/quotes', quoteBody(config, 'x'), {
      timestamp: Math.floor(Date.now() / 1000) - 3_600,
    })
    assert.equal(stale.body.code, 40102)
    const expired = await fleetCall(config, 'POST', '/v1/deliveries', {
      fleet_id: config.fleetId,
      quote_id: 'Qdoesnotexist',
      order_no: 'o',
      request_id: 'r-expired',
    })
    assert.deepEqual(expired, { status: 400, body: { code: 40002, message: '报价已过期' } })
  })
})

test.group('Sandbox | control API', (group) => {
  let sandbox: RunningSandbox
  let config: ReturnType<typeof sandboxFleetConfig>

  group.setup(async () => {
    sandbox = await startTestSandbox()
    config = sandboxFleetConfig(sandbox.url)
    return () => sandbox.stop()
  })
  group.each.setup(() => freshOwnFleet(sandbox, null))

  test('weather overrides reach /_weather and the carriers’ prices and capacity', async ({
    assert,
  }) => {
    const generated = await getJson(`${sandbox.url}/_weather/shanghai`)
    assert.equal(generated.condition, 'clear', 'the test setup overrides every city to clear')
    const clearQuote = await fleetCall(
      config,
      'POST',
      '/v1/quotes',
      quoteBody(config, 'ord_weather')
    )

    const put = await control(sandbox, 'PUT', `/weather/${encodeURIComponent('上海')}`, {
      condition: 'rain',
      wind_level: 5,
    })
    assert.equal(put.body.condition, 'rain')
    const report = await getJson(`${sandbox.url}/_weather/${encodeURIComponent('上海市')}`)
    assert.include(report, { condition: 'rain', wind_level: 5 })

    const market = await control(sandbox, 'GET', `/market?city=${encodeURIComponent('上海')}`)
    const ownFleet = market.body.find((entry: { carrier: string }) => entry.carrier === 'own_fleet')
    assert.equal(ownFleet.weather.condition, 'rain')
    const rainyQuote = await fleetCall(
      config,
      'POST',
      '/v1/quotes',
      quoteBody(config, 'ord_weather')
    )
    // Own fleet has no rain surcharge, but fewer riders and a slower ride.
    if (rainyQuote.body.code === 0) {
      assert.isAbove(rainyQuote.body.data.dropoff_eta_s, clearQuote.body.data.dropoff_eta_s)
    } else {
      assert.equal(rainyQuote.body.code, 42201)
    }
    const all = await control(sandbox, 'POST', '/quotes', {
      city: '上海',
      from: { lat: 31.190236, lng: 121.436525 },
      to: { lat: 31.183467, lng: 121.443512 },
      weightG: 1500,
      orderKey: 'ord_weather',
    })
    const dada = all.body.find((quote: { carrier: string }) => quote.carrier === 'dada')
    assert.equal(dada.breakdown.weatherFen, 300, 'Dada charges its rain surcharge')
    await control(sandbox, 'DELETE', `/weather/${encodeURIComponent('上海')}`)
    const cleared = await getJson(`${sandbox.url}/_weather/shanghai`)
    assert.equal(cleared.condition, 'clear')
  })

  test('the clock can be set, paused and sped up', async ({ assert }) => {
    const lunch = chinaTime('2025-03-04', 12)
    const set = await control(sandbox, 'PUT', '/clock', { at: lunch.toISOString(), speed: 0 })
    assert.equal(set.body.now, lunch.toISOString())
    assert.equal(set.body.speed, 0)
    const later = await control(sandbox, 'PUT', '/clock', { offsetMinutes: 90 })
    assert.equal(later.body.now, new Date(lunch.getTime() + 90 * 60_000).toISOString())
    const bad = await control(sandbox, 'PUT', '/clock', { speed: 'fast' })
    assert.equal(bad.status, 400)
  })

  test('accounts can be added and pointed at the hub', async ({ assert }) => {
    const put = await control(sandbox, 'PUT', '/accounts/own_fleet/merchant-7', {
      credentials: { fleetId: 'F7', apiKey: 'merchant-7', apiSecret: 'secret-777777' },
      callbackUrl: 'http://127.0.0.1:3333/api/v1/webhooks/7',
    })
    assert.equal(put.status, 200)
    const accounts = await control(sandbox, 'GET', '/accounts?carrier=own_fleet')
    assert.sameMembers(
      accounts.body.map((account: { accountKey: string }) => account.accountKey),
      ['sandbox-own-fleet-key', 'merchant-7']
    )
    const merchant = { ...config, fleetId: 'F7', apiKey: 'merchant-7', apiSecret: 'secret-777777' }
    const quote = await fleetCall(merchant, 'POST', '/v1/quotes', quoteBody(merchant, 'ord_m7'))
    assert.equal(quote.body.code, 0)
    const bad = await control(sandbox, 'PUT', '/accounts/own_fleet/x', {
      credentials: { apiSecret: 5 },
    })
    assert.equal(bad.status, 400)
  })

  test('records and reset: what was created is counted, reset forgets it', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const ids = await Promise.all([1, 2, 3].map((n) => createFleetDelivery(config, `ord_rec_${n}`)))
    const records = await control(sandbox, 'GET', '/records?carrier=own_fleet')
    assert.equal(records.body.carriers.own_fleet.deliveries.created, 3)
    assert.equal(records.body.carriers.own_fleet.states.waiting, 3)
    assert.equal(records.body.carriers.own_fleet.quotes.ok, 3)
    assert.sameMembers(
      records.body.deliveries.map(
        (delivery: { carrierOrderId: string }) => delivery.carrierOrderId
      ),
      ids
    )
    assert.equal(records.body.carriers.own_fleet.callbacks.skipped, 3, 'no callback URL set')
    const one = await control(sandbox, 'GET', `/deliveries/own_fleet/${ids[0]}`)
    assert.equal(one.body.clientOrderId, 'ord_rec_1:attempt-1')
    assert.isAbove(one.body.plan.length, 3)
    await control(sandbox, 'POST', '/reset')
    const empty = await control(sandbox, 'GET', '/records?summary=1')
    assert.equal(empty.body.carriers.own_fleet.deliveries.created, 0)
    assert.notProperty(empty.body, 'deliveries')
    const forgotten = await control(sandbox, 'GET', `/deliveries/own_fleet/${ids[0]}`)
    assert.equal(forgotten.status, 404)
    const unknownRoute = await control(sandbox, 'GET', '/nothing-here')
    assert.equal(unknownRoute.status, 404)
  })
})
