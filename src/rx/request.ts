/**
 * `request`: send an IQ get/set and await its one valid response (RFC 6120 §8.2.3,
 * SEMANTICS.md §7.1, SECURITY.md §6).
 *
 * ```text
 * request(stream, { timeout: 60 })(iq)          // iq: get, id 'a1', to peer@example.net/x
 *
 * subscribe  ^                                   // registers 'a1', then stream.send(iq)
 * incoming   --f---p---s---r---r'--|             // f: result 'a1' from mallory@evil.example
 *                                                //    (spoof: ignored, SECURITY.md §6)
 *                                                // p: presence with id 'a1' (ignored)
 *                                                // s: a set with id 'a1' (ignored here;
 *                                                //    rx.serve still sees it)
 *                                                // r: result 'a1' from peer@example.net/x
 * output     ------------------(r|)              // first valid response wins; r' is dropped
 *
 * incoming   --e--                               // e: error 'a1' from peer@example.net/x
 * output     --#                                 // # = IqError { request, response: e, error }
 *
 * incoming   ---------------                     // nothing valid within 60 ms
 * output     ------------#                       // # = IqTimeout { request }
 *
 * incoming   ----|                               // the stream ends first
 * output     ----#                               // # = IqClosed { request }
 * ```
 *
 * **Correlation** is O(1) per incoming stanza whatever the number of pending requests: one
 * dispatcher per `StanzaStream` object holds one `Map<id, entry>` and at most one subscription
 * to `incoming`, taken when the first request becomes pending and dropped when none is (so a
 * `share()`d incoming may be torn down by its last subscriber going; hold your own subscription
 * if that matters). The naive `incoming.pipe(filter(id), take(1), timeout(t))` per request is
 * O(N) per stanza (PERF.md finding 5).
 *
 * **Timeouts** cost no timer and no subscription per request (PERF.md finding 6): each
 * scheduler in use has one binary min-heap of deadlines and one scheduled action for the
 * earliest. With equal timeouts deadlines arrive in order, so a push is O(1); settled entries
 * stay in the heap as small tombstones (their references released), skipped lazily at the top
 * and compacted away once they outnumber live ones; when nothing is pending the heap is
 * dropped and the timer cancelled. Works under `TestScheduler` virtual time (only
 * `scheduler.now()` and `scheduler.schedule(work, delay)` are used).
 *
 * **Valid response**: kind `iq`, type `result` or `error`, the request's id, and an allowed
 * `from` (canonical string equality; `me` = `stream.jid` when the request is subscribed):
 *
 * | request `to` | allowed `from` |
 * | --- | --- |
 * | absent | absent or `bare(me)`; with `acceptOwnDomain`, also `domain(me)` |
 * | `bare(me)` | `bare(me)` or absent |
 * | any other X | exactly X (full JIDs exact; resource case-sensitive) |
 *
 * Without `stream.jid` the "own" entries match nothing. Anything else carrying the id neither
 * resolves nor fails the request (CVE-2013-6483, CVE-2024-46957); it is left to other
 * subscribers of `incoming` (a get/set still reaches `rx.serve`). Incoming stanzas are assumed
 * to come from the decoder, so their JIDs are canonical.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { rx, Iq, Xml } from 'stanzakit'
 *
 * const ping = rx.request(stream, { timeout: 10_000 })
 * ping(Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to: server })).subscribe({
 *   next: (result) => console.log('pong', result.id),
 *   error: (e) => console.log(rx.isIqFailure(e) ? e._tag : e),
 * })
 *
 * @since 0.1.0
 */
import {
  asyncScheduler,
  Observable,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
  type Unsubscribable,
} from 'rxjs'
import * as Iq from '../Iq.js'
import * as Jid from '../Jid.js'
import type { Stanza } from '../Stanza.js'
import { iqClosed, iqError, iqTimeout } from './IqFailure.js'
import type { StanzaStream } from './StanzaStream.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export interface RequestOptions {
  /**
   * Milliseconds (scheduler units) to wait for a valid response. Default 30,000. `Infinity`:
   * no timer at all. Negative or NaN throws a `RangeError` when `request` is called.
   */
  readonly timeout?: number
  /** Drives the shared timeout timer. Default `asyncScheduler`; a `TestScheduler` works. */
  readonly scheduler?: SchedulerLike
  /**
   * Also accept our own domain as the sender of a response to a request without `to`
   * (compatibility with servers that stamp it, SECURITY.md §6). Default `false`.
   */
  readonly acceptOwnDomain?: boolean
  /**
   * Refuse a new request while this many are pending on the stream (counting requests made
   * with other options too). Default 65,536; an integer ≥ 1 or `Infinity`.
   */
  readonly maxPending?: number
}

/** Default `timeout`: 30 s (classic: 120 s, SEMANTICS.md §7.2). @category model */
export const DEFAULT_TIMEOUT = 30_000

/** Default `maxPending` per stream (SECURITY.md §6). @category model */
export const DEFAULT_MAX_PENDING = 65_536

interface Resolved {
  readonly timeout: number
  readonly scheduler: SchedulerLike
  readonly acceptOwnDomain: boolean
  readonly maxPending: number
}

const resolve = (options: RequestOptions): Resolved => {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  if (typeof timeout !== 'number' || !(timeout >= 0))
    throw new RangeError(
      `rx.request: timeout must be a number of ms >= 0 or Infinity, got ${String(timeout)}`,
    )
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING
  if (
    typeof maxPending !== 'number' ||
    !(maxPending >= 1) ||
    (maxPending !== Number.POSITIVE_INFINITY && !Number.isInteger(maxPending))
  )
    throw new RangeError(
      `rx.request: maxPending must be an integer >= 1 or Infinity, got ${String(maxPending)}`,
    )
  return {
    timeout,
    scheduler: options.scheduler ?? asyncScheduler,
    acceptOwnDomain: options.acceptOwnDomain === true,
    maxPending,
  }
}

// -------------------------------------------------------------------------------------
// internal: pending entries
// -------------------------------------------------------------------------------------

/**
 * One pending request. It is its own teardown (an `Unsubscribable`), so a request costs no
 * closure. Settled entries left in a timer heap release their request and subscriber.
 */
class Entry implements Unsubscribable {
  settled = false
  constructor(
    readonly d: Dispatcher,
    readonly q: TimerQueue | undefined,
    public request: Iq.Iq | undefined,
    public subscriber: Subscriber<Iq.Iq> | undefined,
    /** Allowed `from` values; `undefined` = no such value. */
    readonly allowA: string | undefined,
    readonly allowB: string | undefined,
    readonly allowAbsent: boolean,
    readonly deadline: number,
    readonly seq: number,
  ) {}

  /** The teardown: unsubscribing forgets the request (SEMANTICS.md §7.1). */
  unsubscribe(): void {
    this.d.forget(this)
  }
}

const before = (a: Entry, b: Entry): boolean =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)

/** `setTimeout` clamps longer delays to 1 ms; a longer wait re-arms when it fires. */
const MAX_DELAY = 0x7fffffff

/** Tombstones tolerated in a heap before it is compacted (plus as many as live entries). */
const SLACK = 1024

/**
 * The deadlines of one scheduler: a binary min-heap ordered by (deadline, seq) and one
 * scheduled action for the earliest live deadline.
 */
class TimerQueue {
  heap: Array<Entry> = []
  live = 0
  private timer: Subscription | undefined = undefined
  private timerAt = Number.POSITIVE_INFINITY

  constructor(
    private readonly d: Dispatcher,
    readonly scheduler: SchedulerLike,
  ) {}

  push(e: Entry): void {
    const h = this.heap
    let i = h.length
    h.push(e)
    // sift up: O(1) when deadlines come in order (equal timeouts)
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = h[p]
      if (parent === undefined || !before(e, parent)) break
      h[i] = parent
      i = p
    }
    h[i] = e
    this.live++
    this.arm()
  }

  private pop(): void {
    const h = this.heap
    const last = h.pop()
    if (last === undefined || h.length === 0) return
    // sift `last` down from the root
    const n = h.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const left = h[l]
      const right = h[l + 1]
      if (left === undefined) break
      const c = right !== undefined && before(right, left) ? right : left
      if (!before(c, last)) break
      h[i] = c
      i = c === left ? l : l + 1
    }
    h[i] = last
  }

  /** Called when a live entry of this queue was settled elsewhere. */
  removed(): void {
    this.live--
    if (this.heap.length > 2 * this.live + SLACK) this.compact()
  }

  private compact(): void {
    const h = this.heap.filter((e) => !e.settled)
    // heapify: sift down every inner node, bottom-up
    for (let start = (h.length >> 1) - 1; start >= 0; start--) {
      const x = h[start]
      if (x === undefined) continue
      let i = start
      for (;;) {
        const l = 2 * i + 1
        const left = h[l]
        if (left === undefined) break
        const right = h[l + 1]
        const c = right !== undefined && before(right, left) ? right : left
        if (!before(c, x)) break
        h[i] = c
        i = c === left ? l : l + 1
      }
      h[i] = x
    }
    this.heap = h
  }

  /** Schedules the action for the earliest live deadline, if not already due by then. */
  arm(): void {
    let top = this.heap[0]
    while (top?.settled === true) {
      this.pop()
      top = this.heap[0]
    }
    if (top === undefined) {
      this.cancel()
      return
    }
    if (this.timer !== undefined && this.timerAt <= top.deadline) return
    this.cancel()
    this.timerAt = top.deadline
    const delay = Math.min(MAX_DELAY, Math.max(0, top.deadline - this.scheduler.now()))
    this.timer = this.scheduler.schedule(() => this.fire(), delay)
  }

  cancel(): void {
    const t = this.timer
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
    t?.unsubscribe()
  }

  clear(): void {
    this.cancel()
    this.heap = []
    this.live = 0
  }

  private fire(): void {
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
    const now = this.scheduler.now()
    const expired: Array<Entry> = []
    for (let top = this.heap[0]; top !== undefined && top.deadline <= now; top = this.heap[0]) {
      this.pop()
      if (!top.settled) {
        this.live--
        expired.push(top)
      }
    }
    // Notifications come after the heap is consistent: a retry made from an error handler is
    // registered normally and waits for the next action, even with timeout 0.
    this.d.expire(expired)
    this.arm()
  }
}

// -------------------------------------------------------------------------------------
// internal: the dispatcher
// -------------------------------------------------------------------------------------

const alreadyPending = (id: string): Error =>
  new Error(`rx.request: id ${JSON.stringify(id.slice(0, 64))} is already pending; nothing sent`)

/** One per `StanzaStream` object: the id map, the incoming subscription, the timer queues. */
class Dispatcher {
  readonly pending = new Map<string, Entry>()
  private readonly queues = new Map<SchedulerLike, TimerQueue>()
  private listening: Subscription | undefined = undefined
  private starting = false
  private seq = 0

  constructor(private readonly stream: StanzaStream) {}

  register(iq: Iq.Iq, subscriber: Subscriber<Iq.Iq>, o: Resolved): Unsubscribable | undefined {
    if (this.pending.has(iq.id)) {
      subscriber.error(alreadyPending(iq.id))
      return undefined
    }
    if (this.pending.size >= o.maxPending) {
      subscriber.error(
        new Error(`rx.request: ${this.pending.size} requests pending (maxPending); nothing sent`),
      )
      return undefined
    }
    // The allowed senders (SECURITY.md §6), fixed when the request is subscribed.
    const me = this.stream.jid
    const own = this.bareOf(me)
    let allowA: string | undefined
    let allowB: string | undefined
    let allowAbsent = false
    if (iq.to === undefined) {
      allowAbsent = true
      allowA = own
      allowB = me !== undefined && o.acceptOwnDomain ? Jid.domain(me) : undefined
    } else {
      allowA = iq.to
      allowAbsent = iq.to === own
    }
    const q = o.timeout === Number.POSITIVE_INFINITY ? undefined : this.queue(o.scheduler)
    const deadline = q === undefined ? Number.POSITIVE_INFINITY : o.scheduler.now() + o.timeout
    const e = new Entry(this, q, iq, subscriber, allowA, allowB, allowAbsent, deadline, this.seq++)
    this.pending.set(iq.id, e)
    q?.push(e)
    // Listen first, then send: a synchronous reply must find the entry (SEMANTICS.md §7.1).
    this.listen()
    if (!e.settled) {
      try {
        this.stream.send(iq)
      } catch (err) {
        this.forget(e)
        throw err // rxjs hands it to the subscriber as an error
      }
    }
    return e
  }

  private me: Jid.Jid | undefined = undefined
  private own: Jid.Jid | undefined = undefined

  /** `bare(me)`, remembered for the last JID seen: no new string per request. */
  private bareOf(me: Jid.Jid | undefined): Jid.Jid | undefined {
    if (me !== this.me) {
      this.me = me
      this.own = me === undefined ? undefined : Jid.bare(me)
    }
    return this.own
  }

  private queue(scheduler: SchedulerLike): TimerQueue {
    let q = this.queues.get(scheduler)
    if (q === undefined) {
      q = new TimerQueue(this, scheduler)
      this.queues.set(scheduler, q)
    }
    return q
  }

  private listen(): void {
    if (this.listening !== undefined || this.starting) return
    this.starting = true
    let sub: Subscription
    try {
      sub = this.stream.incoming.subscribe({
        next: (s) => this.dispatch(s),
        error: () => this.close(),
        complete: () => this.close(),
      })
    } finally {
      this.starting = false
    }
    // It may have ended (close() ran) or settled everything while subscribing.
    if (sub.closed) return
    if (this.pending.size === 0) sub.unsubscribe()
    else this.listening = sub
  }

  /** O(1): one map lookup, then the sender check. */
  private dispatch(s: Stanza): void {
    if (s.kind !== 'iq' || (s.type !== 'result' && s.type !== 'error')) return
    const e = this.pending.get(s.id)
    if (e === undefined) return
    const from = s.from
    if (from === undefined ? !e.allowAbsent : from !== e.allowA && from !== e.allowB) return
    const { request, subscriber } = e
    this.remove(e, s.id)
    if (request === undefined || subscriber === undefined) return
    if (s.type === 'result') {
      subscriber.next(s)
      subscriber.complete()
    } else subscriber.error(iqError(request, s))
  }

  /**
   * Takes a live entry out of the map (and its queue's count), releasing its references. `id` is
   * passed in so the hot path does not touch the request record (one cache miss less).
   */
  private remove(e: Entry, id: string): void {
    e.settled = true
    this.pending.delete(id)
    e.request = undefined
    e.subscriber = undefined
    if (this.pending.size === 0) this.idle()
    else e.q?.removed()
  }

  /** Teardown of an unsubscribed request. */
  forget(e: Entry): void {
    if (!e.settled && e.request !== undefined) this.remove(e, e.request.id)
  }

  /** From a timer queue: these entries are out of its heap and its live count. */
  expire(expired: ReadonlyArray<Entry>): void {
    const failed: Array<readonly [Iq.Iq, Subscriber<Iq.Iq>]> = []
    for (const e of expired) {
      const { request, subscriber } = e
      e.settled = true
      e.request = undefined
      e.subscriber = undefined
      if (request === undefined || subscriber === undefined) continue
      this.pending.delete(request.id)
      failed.push([request, subscriber])
    }
    if (this.pending.size === 0) this.idle()
    for (const [request, subscriber] of failed) subscriber.error(iqTimeout(request))
  }

  /** Nothing pending: stop listening, drop every heap and timer. */
  private idle(): void {
    const sub = this.listening
    this.listening = undefined
    sub?.unsubscribe()
    for (const q of this.queues.values()) q.clear()
    this.queues.clear()
  }

  /** `incoming` completed or errored: every pending request fails with `IqClosed`. */
  private close(): void {
    this.listening = undefined
    const failed: Array<readonly [Iq.Iq, Subscriber<Iq.Iq>]> = []
    for (const e of this.pending.values()) {
      const { request, subscriber } = e
      e.settled = true
      e.request = undefined
      e.subscriber = undefined
      if (request !== undefined && subscriber !== undefined) failed.push([request, subscriber])
    }
    this.pending.clear()
    this.idle()
    for (const [request, subscriber] of failed) subscriber.error(iqClosed(request))
  }
}

const dispatchers = new WeakMap<StanzaStream, Dispatcher>()

const dispatcherOf = (stream: StanzaStream): Dispatcher => {
  let d = dispatchers.get(stream)
  if (d === undefined) {
    d = new Dispatcher(stream)
    dispatchers.set(stream, d)
  }
  return d
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A cold Observable per request (SEMANTICS.md §7.1). Each subscription registers `iq.id`, then
 * calls `stream.send(iq)` once; it emits the result `Iq` and completes, or errors with an
 * `IqFailure` (`IqError`, `IqTimeout`, `IqClosed`). Unsubscribing, the timeout and the end of
 * `incoming` forget the request; late replies are dropped. Re-subscribing resends the same id:
 * build the `Iq` inside `defer` for a fresh one.
 *
 * Programmer errors: invalid options throw a `RangeError` right here; subscribing with an id
 * already pending on the stream, a full table (`maxPending`) or an iq that is not a get/set
 * errors at once with a plain `Error`, and nothing is sent. If `stream.send` throws, the request
 * is forgotten and the subscriber gets that error.
 *
 * @category constructors
 */
export const request = (
  stream: StanzaStream,
  options: RequestOptions = {},
): ((iq: Iq.Iq) => Observable<Iq.Iq>) => {
  const o = resolve(options)
  return (iq) =>
    new Observable<Iq.Iq>((subscriber) => {
      if (iq.kind !== 'iq' || !Iq.isRequest(iq)) {
        subscriber.error(
          new Error(
            `rx.request: only get and set are requests, got ${String(iq.type)}; nothing sent`,
          ),
        )
        return undefined
      }
      return dispatcherOf(stream).register(iq, subscriber, o)
    })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Diagnostics: how many requests are pending on `stream` (0 for a stream never used). For
 * tests and metrics; not needed to use `request`.
 *
 * @category utils
 */
export const pendingCount = (stream: StanzaStream): number =>
  dispatchers.get(stream)?.pending.size ?? 0
