/**
 * A binary min-heap of deadlines: the pending timeouts of one scheduler, earliest first (the
 * classic array heap, children of slot `i` at `2i + 1` and `2i + 2`).
 *
 * - **Order**: by `deadline`, ties by insertion order, so requests with equal deadlines time out
 *   in the order they were made.
 * - **Push** sifts up: O(log n), and O(1) when deadlines come in order, the common case of
 *   equal timeouts.
 * - **Remove** is lazy and O(1) amortised: the entry is marked and left in place as a tombstone,
 *   dropped when it reaches the top, and all tombstones are compacted away (heapify, O(n)) once
 *   they outnumber the live entries by more than `slack`, so storage stays within
 *   `2 * size + slack` slots. A settled request costs no sift on the hot path of a response
 *   (bench `rx:correlation`).
 * - **Pop** and compaction share the one sift-down below.
 *
 * No rxjs here: `rx/internal/dispatcher.ts` pairs one heap with one scheduled action.
 * Not exported from `stanzakit/rx`.
 *
 * ```ts
 * const heap = new DeadlineHeap<Deadline & { readonly name: string }>()
 * const a = { deadline: 20, seq: 0, removed: false, name: 'a' }
 * heap.push(a)
 * heap.push({ deadline: 10, seq: 0, removed: false, name: 'b' })
 * heap.remove(a)
 * heap.pop()?.name // 'b'
 * heap.size // 0
 * ```
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the heap orders. The heap owns `seq` (stamped on push) and `removed` (set on pop and
 * remove); an entry starts with `removed: false` and is pushed at most once.
 */
export interface Deadline {
  /** When it is due, in scheduler time (`scheduler.now()` units). */
  readonly deadline: number
  /** Tie-breaker, stamped by `push`. */
  seq: number
  /** `true` once popped or removed: a tombstone while it is still stored. */
  removed: boolean
}

/** Tombstones tolerated beyond the live entries before a compaction. */
export const DEFAULT_SLACK = 1024

const before = (a: Deadline, b: Deadline): boolean =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)

// -------------------------------------------------------------------------------------
// the heap
// -------------------------------------------------------------------------------------

export class DeadlineHeap<A extends Deadline> {
  private items: Array<A> = []
  private live = 0
  private nextSeq = 0

  /** @param slack tombstones tolerated beyond the live count (an integer ≥ 0). */
  constructor(private readonly slack: number = DEFAULT_SLACK) {}

  /** Live entries: pushed, neither popped nor removed. */
  get size(): number {
    return this.live
  }

  /** Stored slots, tombstones included: at most `2 * size + slack` after any operation. */
  get slots(): number {
    return this.items.length
  }

  push(a: A): void {
    a.seq = this.nextSeq++
    a.removed = false
    const h = this.items
    let i = h.length
    h.push(a)
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = h[p]
      if (parent === undefined || !before(a, parent)) break
      h[i] = parent
      i = p
    }
    h[i] = a
    this.live++
  }

  /** The earliest live entry, dropping the tombstones above it. */
  peek(): A | undefined {
    let top = this.items[0]
    while (top?.removed === true) {
      this.dropTop()
      top = this.items[0]
    }
    return top
  }

  /** Takes out the earliest live entry (marking it removed). */
  pop(): A | undefined {
    const top = this.peek()
    if (top === undefined) return undefined
    this.dropTop()
    top.removed = true
    this.live--
    this.bound()
    return top
  }

  /**
   * Takes out an entry of this heap wherever it is, in O(1) amortised; an entry already popped
   * or removed is left alone.
   */
  remove(a: A): void {
    if (a.removed) return
    a.removed = true
    this.live--
    this.bound()
  }

  /** Forgets every entry (they are not marked: the caller drops them too). */
  clear(): void {
    this.items = []
    this.live = 0
    this.nextSeq = 0
  }

  /** Removes slot 0: the last entry takes its place and sinks. */
  private dropTop(): void {
    const h = this.items
    const last = h.pop()
    if (last !== undefined && h.length > 0) this.siftDown(last, 0)
  }

  /** Compacts when the tombstones outnumber the live entries by more than `slack`. */
  private bound(): void {
    if (this.items.length > 2 * this.live + this.slack) this.compact()
  }

  /** Keeps the live entries only and restores the heap order bottom-up (Floyd, O(n)). */
  private compact(): void {
    const h = this.items.filter((a) => !a.removed)
    this.items = h
    for (let i = (h.length >> 1) - 1; i >= 0; i--) {
      const a = h[i]
      if (a !== undefined) this.siftDown(a, i)
    }
  }

  /** The one sift-down: places `a` at slot `i` or below, moving smaller children up. */
  private siftDown(a: A, i: number): void {
    const h = this.items
    const n = h.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const left = h[l]
      if (left === undefined) break
      const right = h[l + 1]
      const r = right !== undefined && before(right, left)
      const c = r ? right : left
      if (!before(c, a)) break
      h[i] = c
      i = r ? l + 1 : l
    }
    h[i] = a
  }
}
