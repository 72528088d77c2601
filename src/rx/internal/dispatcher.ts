/**
 * The machinery behind `rx.request`: one dispatcher per `StanzaStream` object correlates
 * responses with pending requests and times them out (docs/semantics.md §7.1,
 * docs/security.md §6, docs/performance.md "IQ correlation").
 *
 * - **Correlation** is O(1) per incoming stanza whatever the number of pending requests: one
 *   `Map<id, Entry>` and at most one subscription to `incoming`, taken when the first request
 *   becomes pending and dropped when none is (so a `share()`d incoming may be torn down by its
 *   last subscriber going). A stanza answers an entry as in `Iq.isResponseTo`: an `Iq.isResponse`
 *   whose id finds the entry and whose `from` passes `Iq.isAllowedResponder` against the
 *   entry's `Iq.allowedResponders`, computed once per request. The naive `filter(id), take(1),
 *   timeout(t)` per request is O(N) per stanza.
 * - **Timeouts** cost no timer and no subscription per request: each scheduler in use has one
 *   {@link DeadlineHeap} and one scheduled action for its earliest deadline. When nothing is
 *   pending every heap is dropped and every timer cancelled. Only `scheduler.now()` and
 *   `scheduler.schedule(work, delay)` are used, so `TestScheduler` virtual time works.
 * - **Order of effects**: register, listen, then send (a synchronous reply finds its entry);
 *   a request's state is cleaned up before its subscriber is notified, so a request made from a
 *   callback is registered normally.
 *
 * Not exported from `stanzakit/rx`.
 */
import type { SchedulerLike, Subscriber, Subscription, Unsubscribable } from 'rxjs'
import * as Iq from '../../Iq.js'
import type { Jid } from '../../Jid.js'
import type { Stanza } from '../../Stanza.js'
import { iqClosed, iqError, iqTimeout } from '../IqFailure.js'
import type { StanzaStream } from '../StanzaStream.js'
import { type Deadline, DeadlineHeap } from './deadlineHeap.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** `rx.request`'s options, checked and defaulted. */
export interface Settings {
  /** Scheduler units; `Infinity`: no timer. */
  readonly timeout: number
  readonly scheduler: SchedulerLike
  readonly acceptOwnDomain: boolean
  /** An integer ≥ 1 or `Infinity`. */
  readonly maxPending: number
}

/**
 * One pending request. It is its own teardown (an `Unsubscribable`) and carries its allowed
 * responders inline (an `Iq.Responders`), so a request costs no closure and no extra record
 * (bench `rx:heap`). Settling releases the request and the subscriber: an entry left in a heap
 * as a tombstone holds nothing else of size.
 */
class Entry implements Unsubscribable, Deadline, Iq.Responders {
  seq = 0
  removed = false
  readonly absent: boolean
  readonly jid: Jid | undefined
  readonly domain: Jid | undefined
  constructor(
    readonly dispatcher: Dispatcher,
    readonly timer: Timer | undefined,
    /** `undefined` once settled. */
    public request: Iq.Iq | undefined,
    public subscriber: Subscriber<Iq.Iq> | undefined,
    /** `Iq.allowedResponders(request, me, options)`, fixed when the request is subscribed. */
    responders: Iq.Responders,
    readonly deadline: number,
  ) {
    this.absent = responders.absent
    this.jid = responders.jid
    this.domain = responders.domain
  }

  /** Unsubscribing forgets the request (docs/semantics.md §7.1). */
  unsubscribe(): void {
    this.dispatcher.forget(this)
  }
}

/** What a settled entry owed its subscriber. */
type Owed = readonly [Iq.Iq, Subscriber<Iq.Iq>]

// -------------------------------------------------------------------------------------
// timers
// -------------------------------------------------------------------------------------

/** `setTimeout` clamps longer delays to 1 ms; a longer wait re-arms when it fires. */
const MAX_DELAY = 0x7fffffff

/** The deadlines of one scheduler, and one scheduled action for the earliest. */
class Timer {
  readonly heap = new DeadlineHeap<Entry>()
  private action: Subscription | undefined = undefined
  private actionAt = Number.POSITIVE_INFINITY

  constructor(
    private readonly dispatcher: Dispatcher,
    readonly scheduler: SchedulerLike,
  ) {}

  add(e: Entry): void {
    this.heap.push(e)
    this.arm()
  }

  /** Schedules the action for the earliest live deadline, unless one is due by then. */
  private arm(): void {
    const top = this.heap.peek()
    if (top === undefined) {
      this.cancel()
      return
    }
    if (this.action !== undefined && this.actionAt <= top.deadline) return
    this.cancel()
    this.actionAt = top.deadline
    const delay = Math.min(MAX_DELAY, Math.max(0, top.deadline - this.scheduler.now()))
    this.action = this.scheduler.schedule(() => this.fire(), delay)
  }

  cancel(): void {
    const a = this.action
    this.action = undefined
    this.actionAt = Number.POSITIVE_INFINITY
    a?.unsubscribe()
  }

  private fire(): void {
    this.action = undefined
    this.actionAt = Number.POSITIVE_INFINITY
    const now = this.scheduler.now()
    const expired: Array<Entry> = []
    for (let top = this.heap.peek(); top !== undefined && top.deadline <= now; ) {
      this.heap.pop()
      expired.push(top)
      top = this.heap.peek()
    }
    // Notified once the heap is consistent: a retry made from an error handler is registered
    // normally and waits for the next action, even with timeout 0.
    this.dispatcher.expire(expired)
    this.arm()
  }
}

// -------------------------------------------------------------------------------------
// the dispatcher
// -------------------------------------------------------------------------------------

const alreadyPending = (id: string): Error =>
  new Error(`rx.request: id ${JSON.stringify(id.slice(0, 64))} is already pending; nothing sent`)

/** One per `StanzaStream` object: the id map, the incoming subscription, the timers. */
export class Dispatcher {
  readonly pending = new Map<string, Entry>()
  private readonly timers = new Map<SchedulerLike, Timer>()
  private listening: Subscription | undefined = undefined
  private starting = false

  constructor(private readonly stream: StanzaStream) {}

  /**
   * Registers `iq` (a get/set), listens, then sends it; returns the teardown, or `undefined`
   * when the subscriber was already errored (id pending, table full).
   */
  register(iq: Iq.Iq, subscriber: Subscriber<Iq.Iq>, o: Settings): Unsubscribable | undefined {
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
    // The allowed senders are fixed now, with the JID we have now (docs/security.md §6).
    const responders = Iq.allowedResponders(iq, this.stream.jid, o)
    const timer = o.timeout === Number.POSITIVE_INFINITY ? undefined : this.timer(o.scheduler)
    const deadline = timer === undefined ? Number.POSITIVE_INFINITY : o.scheduler.now() + o.timeout
    const e = new Entry(this, timer, iq, subscriber, responders, deadline)
    this.pending.set(iq.id, e)
    timer?.add(e)
    this.listen()
    if (e.request !== undefined) {
      try {
        this.stream.send(iq)
      } catch (err) {
        this.forget(e)
        throw err // rxjs hands it to the subscriber as an error
      }
    }
    return e
  }

  private timer(scheduler: SchedulerLike): Timer {
    let t = this.timers.get(scheduler)
    if (t === undefined) {
      t = new Timer(this, scheduler)
      this.timers.set(scheduler, t)
    }
    return t
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

  /** `Iq.isResponseTo` in O(1): the id check is the map lookup. */
  private dispatch(s: Stanza): void {
    if (s.kind !== 'iq' || !Iq.isResponse(s)) return
    const e = this.pending.get(s.id)
    if (e === undefined || !Iq.isAllowedResponder(e, s.from)) return
    const { request, subscriber } = e
    this.settle(e, s.id)
    if (request === undefined || subscriber === undefined) return
    if (s.type === 'result') {
      subscriber.next(s)
      subscriber.complete()
    } else subscriber.error(iqError(request, s))
  }

  /**
   * Takes a live entry out of the map and its timer's heap, releasing its references. `id` is
   * passed in so the hot path does not touch the request record (one cache miss less).
   */
  private settle(e: Entry, id: string): void {
    this.pending.delete(id)
    e.request = undefined
    e.subscriber = undefined
    if (this.pending.size === 0) this.idle()
    else e.timer?.heap.remove(e)
  }

  /** The teardown of an unsubscribed request. */
  forget(e: Entry): void {
    if (e.request !== undefined) this.settle(e, e.request.id)
  }

  /** From a timer: these entries are already out of its heap. */
  expire(expired: ReadonlyArray<Entry>): void {
    const owed: Array<Owed> = []
    for (const e of expired) {
      const { request, subscriber } = e
      e.request = undefined
      e.subscriber = undefined
      if (request === undefined || subscriber === undefined) continue
      this.pending.delete(request.id)
      owed.push([request, subscriber])
    }
    if (this.pending.size === 0) this.idle()
    for (const [request, subscriber] of owed) subscriber.error(iqTimeout(request))
  }

  /** Nothing pending: stop listening, drop every heap and timer. */
  private idle(): void {
    const sub = this.listening
    this.listening = undefined
    sub?.unsubscribe()
    for (const t of this.timers.values()) {
      t.cancel()
      t.heap.clear()
    }
    this.timers.clear()
  }

  /** `incoming` completed or errored: every pending request fails with `IqClosed`. */
  private close(): void {
    this.listening = undefined
    this.failAll()
  }

  /**
   * Every pending request fails with `IqClosed`, `incoming` still running: a client whose
   * stream-management session is lost knows no response can come (XEP-0198 §5, failed resumption).
   */
  failAll(): void {
    const owed: Array<Owed> = []
    for (const e of this.pending.values()) {
      const { request, subscriber } = e
      e.request = undefined
      e.subscriber = undefined
      if (request !== undefined && subscriber !== undefined) owed.push([request, subscriber])
    }
    this.pending.clear()
    this.idle()
    for (const [request, subscriber] of owed) subscriber.error(iqClosed(request))
  }
}

// -------------------------------------------------------------------------------------
// per-stream state
// -------------------------------------------------------------------------------------

/**
 * The module's only mutable state: one dispatcher per stream object. Bounded by the streams
 * alive: a `WeakMap` keyed by the stream, so a dispatcher goes with its stream, and an idle one
 * holds no subscription, timer or entry.
 */
const dispatchers = new WeakMap<StanzaStream, Dispatcher>()

/** The stream's dispatcher, created on first use. */
export const dispatcherOf = (stream: StanzaStream): Dispatcher => {
  let d = dispatchers.get(stream)
  if (d === undefined) {
    d = new Dispatcher(stream)
    dispatchers.set(stream, d)
  }
  return d
}

/** Requests pending on `stream`; 0 for a stream never used. */
export const pendingOn = (stream: StanzaStream): number =>
  dispatchers.get(stream)?.pending.size ?? 0

/** Fails every request pending on `stream` with `IqClosed` (see {@link Dispatcher.failAll}). */
export const failPendingOn = (stream: StanzaStream): void => dispatchers.get(stream)?.failAll()
