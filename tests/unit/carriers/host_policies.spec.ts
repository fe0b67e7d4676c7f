import { test } from '@japa/runner'
import { CircuitBreaker } from '#carriers/circuit_breaker'
import { EgressPolicy } from '#sdk/egress_policy'

test.group('Host | circuit breaker', () => {
  function breaker() {
    let now = 1_000_000
    const instance = new CircuitBreaker(
      { failureThreshold: 2, openMs: 10_000, halfOpenMaxCalls: 1 },
      () => now
    )
    return { instance, advance: (ms: number) => (now += ms) }
  }
  const failure = { name: 'RetryableError', code: 'carrier_unavailable', message: 'down' }

  test('opens after the threshold, fails fast, half-opens after openMs, closes on success', ({
    assert,
  }) => {
    const { instance, advance } = breaker()
    assert.isTrue(instance.tryAcquire())
    instance.onFailure(failure)
    assert.equal(instance.state, 'closed')
    assert.isFalse(
      instance.snapshot().healthy,
      'a failure below the threshold already shows as unhealthy'
    )
    instance.onFailure(failure)
    assert.equal(instance.state, 'open')
    assert.isFalse(instance.tryAcquire())
    assert.equal(instance.snapshot().retryAt, new Date(1_000_000 + 10_000).toISOString())

    advance(10_000)
    assert.equal(instance.state, 'half_open')
    assert.isTrue(instance.tryAcquire())
    assert.isFalse(instance.tryAcquire(), 'only one trial call at a time')
    instance.onSuccess()
    assert.equal(instance.state, 'closed')
    assert.isTrue(instance.snapshot().healthy)
    assert.equal(instance.snapshot().failures, 2)
    assert.equal(instance.snapshot().calls, 3)
  })

  test('a failed trial re-opens; a business answer does not count as failure', ({ assert }) => {
    const { instance, advance } = breaker()
    instance.onFailure(failure)
    instance.onFailure(failure)
    advance(10_000)
    assert.isTrue(instance.tryAcquire())
    instance.onFailure(failure)
    assert.equal(instance.state, 'open')
    advance(10_000)
    assert.isTrue(instance.tryAcquire())
    instance.onNeutral()
    assert.equal(instance.state, 'closed')
    instance.onNeutral()
    assert.equal(instance.snapshot().consecutiveFailures, 0)
  })
})

test.group('Host | egress policy', () => {
  const policy = new EgressPolicy(['api.dada.example.com', '*.sf.example.com', '127.0.0.1:4010'])

  test('exact hosts, sub-domain wildcards and pinned ports pass', ({ assert }) => {
    assert.isTrue(policy.check('https://api.dada.example.com/api/order/addOrder').allowed)
    assert.isTrue(
      policy.check('https://API.DADA.example.com:8443/x').allowed,
      'any port when none is pinned'
    )
    assert.isTrue(policy.check('https://open.sf.example.com/open/api').allowed)
    assert.isTrue(policy.check('https://a.b.sf.example.com/').allowed)
    assert.isTrue(policy.check('http://127.0.0.1:4010/sandbox').allowed)
  })

  test('everything else is refused with the reason', ({ assert }) => {
    const refused = (url: string) => {
      const decision = policy.check(url)
      return decision.allowed ? 'allowed' : decision.reason
    }
    assert.match(refused('https://sf.example.com/'), /not in the plugin's egress list/)
    assert.match(
      refused('https://api.dada.example.com.evil.net/'),
      /not in the plugin's egress list/
    )
    assert.match(refused('http://127.0.0.1:4011/'), /"127\.0\.0\.1:4011" is not in/)
    assert.match(refused('file:///etc/passwd'), /protocol file: is not allowed/)
    assert.match(refused('https://user:pw@api.dada.example.com/'), /credentials in the URL/)
    assert.match(refused('not a url'), /not an absolute URL/)
  })
})
