/**
 * Work under way that a stop should let finish: a job cut off mid-way is safe
 * (recovery redoes it) but its database calls fail noisily once the connection pool
 * closes at shutdown.
 */
export class InFlightWork {
  #running = new Set<Promise<unknown>>()

  /** Keeps `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work)
    void work.then(
      () => this.#running.delete(work),
      () => this.#running.delete(work)
    )
    return work
  }

  /** Resolves when everything tracked now has settled, or after `graceMs`. */
  async settle(graceMs: number) {
    if (this.#running.size === 0) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.#running]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs)
        timer.unref()
      }),
    ])
    clearTimeout(timer)
  }
}
