import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  DEFAULT_SLACK,
  type Deadline,
  DeadlineHeap,
} from '../../../src/rx/internal/deadlineHeap.js'

/** A test entry: its deadline and the order it was pushed in (`n`). */
interface Item extends Deadline {
  readonly n: number
}

const item = (deadline: number, n: number): Item => ({ deadline, n, seq: 0, removed: false })

/** Deadline order, ties in push order: what every pop sequence must follow. */
const byDeadline = (a: Item, b: Item): number => a.deadline - b.deadline || a.n - b.n

const drain = (heap: DeadlineHeap<Item>): Array<Item> => {
  const out: Array<Item> = []
  for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x)
  return out
}

// Few distinct deadlines, so ties are common; Infinity too (a request with no timer never is
// pushed, but the heap must not care).
const deadline = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: -1e6, max: 1e13 }),
  fc.constant(Number.POSITIVE_INFINITY),
)

type Op =
  | { readonly op: 'push'; readonly deadline: number }
  | { readonly op: 'remove'; readonly pick: number }
  | { readonly op: 'pop' }
  | { readonly op: 'peek' }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: deadline.map((d): Op => ({ op: 'push', deadline: d })) },
  { weight: 3, arbitrary: fc.nat().map((pick): Op => ({ op: 'remove', pick })) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'pop' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'peek' }) },
)

describe('rx/internal/deadlineHeap', () => {
  describe('properties', () => {
    it('pop: entries come out in deadline order, ties in push order', () => {
      fc.assert(
        fc.property(fc.array(deadline, { maxLength: 300 }), (ds) => {
          const heap = new DeadlineHeap<Item>()
          const items = ds.map(item)
          for (const x of items) heap.push(x)
          expect(heap.size).toBe(items.length)
          expect(drain(heap)).toEqual([...items].sort(byDeadline))
          expect(heap.size).toBe(0)
          expect(heap.peek()).toBeUndefined()
        }),
        { numRuns: 300 },
      )
    })

    it('push, remove (any entry, any number of times), pop, peek: the heap matches a sorted list', () => {
      fc.assert(
        fc.property(
          fc.array(op, { maxLength: 400 }),
          fc.integer({ min: 0, max: 8 }),
          (ops, slack) => {
            const heap = new DeadlineHeap<Item>(slack)
            const pushed: Array<Item> = []
            let live: Array<Item> = [] // the model, kept sorted
            for (const o of ops) {
              switch (o.op) {
                case 'push': {
                  const x = item(o.deadline, pushed.length)
                  pushed.push(x)
                  heap.push(x)
                  live = [...live, x].sort(byDeadline)
                  break
                }
                case 'remove': {
                  // any entry ever pushed: live, already removed, or already popped
                  const x = pushed[o.pick % Math.max(1, pushed.length)]
                  if (x === undefined) break
                  heap.remove(x)
                  live = live.filter((y) => y !== x)
                  expect(x.removed).toBe(true)
                  break
                }
                case 'pop': {
                  const x = heap.pop()
                  expect(x).toBe(live[0])
                  if (x !== undefined) expect(x.removed).toBe(true)
                  live = live.slice(1)
                  break
                }
                case 'peek':
                  expect(heap.peek()).toBe(live[0])
                  break
              }
              // size bookkeeping and the storage bound, after every operation
              expect(heap.size).toBe(live.length)
              expect(heap.slots).toBeGreaterThanOrEqual(heap.size)
              expect(heap.slots).toBeLessThanOrEqual(2 * heap.size + slack)
              for (const x of live) expect(x.removed).toBe(false)
            }
            expect(drain(heap)).toEqual(live)
            expect(heap.slots).toBe(0)
          },
        ),
        { numRuns: 300 },
      )
    })

    it('clear: forgets everything; the heap is usable again', () => {
      fc.assert(
        fc.property(fc.array(deadline, { maxLength: 50 }), fc.array(deadline), (a, b) => {
          const heap = new DeadlineHeap<Item>(0)
          for (const x of a.map(item)) heap.push(x)
          heap.clear()
          expect(heap.size).toBe(0)
          expect(heap.slots).toBe(0)
          const items = b.map(item)
          for (const x of items) heap.push(x)
          expect(drain(heap)).toEqual([...items].sort(byDeadline))
        }),
        { numRuns: 100 },
      )
    })
  })

  describe('examples', () => {
    it('push: in-order deadlines (equal timeouts) never move an entry', () => {
      const heap = new DeadlineHeap<Item>()
      const items = Array.from({ length: 100 }, (_, i) => item(1000 + i, i))
      for (const x of items) heap.push(x)
      expect(drain(heap)).toEqual(items)
    })

    it('remove: lazy; tombstones are compacted once they exceed the live count by the slack', () => {
      const heap = new DeadlineHeap<Item>()
      const items = Array.from({ length: 3000 }, (_, i) => item(i, i))
      for (const x of items) heap.push(x)
      // removing the latest deadlines leaves them in place as tombstones…
      for (let i = 2999; i >= 2000; i--) heap.remove(items[i] as Item)
      expect(heap.size).toBe(2000)
      expect(heap.slots).toBe(3000)
      // …until there are more than live + DEFAULT_SLACK of them
      for (let i = 1999; heap.slots === 3000; i--) heap.remove(items[i] as Item)
      const left = heap.size
      // the first removal that broke slots ≤ 2 * size + slack
      expect(3000 > 2 * left + DEFAULT_SLACK).toBe(true)
      expect(3000 > 2 * (left + 1) + DEFAULT_SLACK).toBe(false)
      expect(heap.slots).toBe(left)
      expect(drain(heap)).toEqual(items.slice(0, left))
    })

    it('remove: an entry already popped or removed is left alone', () => {
      const heap = new DeadlineHeap<Item>()
      const a = item(1, 0)
      const b = item(2, 1)
      heap.push(a)
      heap.push(b)
      expect(heap.pop()).toBe(a)
      heap.remove(a)
      expect(heap.size).toBe(1)
      heap.remove(b)
      heap.remove(b)
      expect(heap.size).toBe(0)
      expect(heap.pop()).toBeUndefined()
    })
  })
})
