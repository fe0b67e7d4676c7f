/** A binary min-heap: the scheduler's queue of timed events. */
export class MinHeap<T> {
  #items: T[] = []
  readonly #less: (a: T, b: T) => boolean

  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less
  }

  get size(): number {
    return this.#items.length
  }

  peek(): T | undefined {
    return this.#items[0]
  }

  push(item: T): void {
    const items = this.#items
    items.push(item)
    let index = items.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.#less(items[index], items[parent])) break
      ;[items[index], items[parent]] = [items[parent], items[index]]
      index = parent
    }
  }

  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return top
    items[0] = last
    let index = 0
    for (;;) {
      const left = index * 2 + 1
      const right = left + 1
      let smallest = index
      if (left < items.length && this.#less(items[left], items[smallest])) smallest = left
      if (right < items.length && this.#less(items[right], items[smallest])) smallest = right
      if (smallest === index) break
      ;[items[index], items[smallest]] = [items[smallest], items[index]]
      index = smallest
    }
    return top
  }

  clear(): void {
    this.#items = []
  }
}
