import { test } from '@japa/runner'
import { InProcessQueue } from '#dispatch/queue/in_process_queue'
import type { JobData, JobHandler, JobName } from '#dispatch/queue/job_queue'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Handlers that record what ran and hold each job until released. */
function recordingHandlers() {
  const started: { name: JobName; data: JobData }[] = []
  const releases: (() => void)[] = []
  const handler =
    (name: JobName): JobHandler =>
    (data) =>
      new Promise<void>((resolve) => {
        started.push({ name, data })
        releases.push(resolve)
      })
  return {
    started,
    releaseAll: () => releases.splice(0).forEach((release) => release()),
    handlers: {
      'dispatch-order': handler('dispatch-order'),
      'accept-timeout': handler('accept-timeout'),
      'poll-status': handler('poll-status'),
    },
  }
}

test.group('In-process job queue', () => {
  test('runs at most `concurrency` jobs at once and the rest as slots free up', async ({
    assert,
  }) => {
    const queue = new InProcessQueue()
    const { started, releaseAll, handlers } = recordingHandlers()
    await queue.process(handlers, { concurrency: 2 })
    for (let orderId = 1; orderId <= 5; orderId++) await queue.add('dispatch-order', { orderId })
    await sleep(10)
    assert.deepEqual(
      started.map((job) => job.data.orderId),
      [1, 2]
    )
    assert.equal(await queue.pending(), 5)
    releaseAll()
    await sleep(10)
    assert.deepEqual(
      started.map((job) => job.data.orderId),
      [1, 2, 3, 4]
    )
    releaseAll()
    await sleep(10)
    releaseAll()
    await sleep(10)
    assert.equal(await queue.pending(), 0)
    await queue.close()
  })

  test('a job id already queued is not added twice; a removed delayed job never runs', async ({
    assert,
  }) => {
    const queue = new InProcessQueue()
    const { started, releaseAll, handlers } = recordingHandlers()
    await queue.process(handlers, { concurrency: 4 })
    await queue.add('accept-timeout', { orderId: 7, attemptNo: 1 }, { delayMs: 30, jobId: 't-7' })
    await queue.add('accept-timeout', { orderId: 7, attemptNo: 1 }, { delayMs: 30, jobId: 't-7' })
    await queue.add('accept-timeout', { orderId: 8, attemptNo: 1 }, { delayMs: 30, jobId: 't-8' })
    await queue.remove('t-8')
    await sleep(80)
    assert.deepEqual(started, [{ name: 'accept-timeout', data: { orderId: 7, attemptNo: 1 } }])
    releaseAll()
    await queue.close()
  })

  test('close waits for running jobs, so their database work is not cut off', async ({
    assert,
  }) => {
    const queue = new InProcessQueue()
    let finished = false
    const slow: JobHandler = async () => {
      await sleep(150)
      finished = true
    }
    await queue.process(
      { 'dispatch-order': slow, 'accept-timeout': slow, 'poll-status': slow },
      { concurrency: 1 }
    )
    await queue.add('dispatch-order', { orderId: 1 })
    await queue.add('dispatch-order', { orderId: 2 })
    await sleep(10)
    const closing = Date.now()
    await queue.close()
    assert.isTrue(finished, 'the running job finished before close resolved')
    assert.isAtLeast(Date.now() - closing, 100)
    // The waiting job was dropped (recovery picks it up from the database on restart).
    assert.equal(await queue.pending(), 0)
    await queue.add('dispatch-order', { orderId: 3 })
    assert.equal(await queue.pending(), 0, 'a closed queue takes no more jobs')
  })

  test('close gives up waiting after its grace period', async ({ assert }) => {
    const queue = new InProcessQueue()
    const { handlers, releaseAll } = recordingHandlers()
    await queue.process(handlers, { concurrency: 1 })
    await queue.add('poll-status', { orderId: 1 })
    await sleep(10)
    const closing = Date.now()
    await queue.close(50)
    const waited = Date.now() - closing
    assert.isAtLeast(waited, 40)
    assert.isBelow(waited, 1_000)
    releaseAll()
  })
})
