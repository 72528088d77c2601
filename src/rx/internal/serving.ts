/**
 * The coordination behind `rx.serve`: every get/set on a stream is answered exactly once, however
 * many `serve`s run on it (RFC 6120 §8.2.3, §8.4; docs/semantics.md §7.4).
 *
 * - **Registration**: each `serve` registers a {@link Server} when it subscribes and unregisters
 *   when it is unsubscribed. Registration order is subscription order.
 * - **One subscription**: a stream's coordinator holds one subscription to `incoming` while at
 *   least one server is registered, and drops it when none is.
 * - **Routing**: a get/set that passes the same-sender rule ({@link sameSender}) goes to the
 *   first server whose handlers match it (servers in registration order, each one's handlers in
 *   array order); if none matches, to the earliest server's unhandled reply. Requests failing the
 *   rule (roster pushes from others) go nowhere and are answered by no one.
 * - **Fallback**: a request a server took is remembered (a `WeakSet`, so it holds nothing alive).
 *   The owner of a stream (a live session, `connection/internal/live.ts`) asks {@link unserved}
 *   right after it emitted a stanza on `incoming`, so after every subscriber had its synchronous
 *   turn, and answers the get/set no `serve` took with `service-unavailable` (RFC 6120 §8.4).
 *   A `serve` subscribed after a request was emitted does not see it (`incoming` is hot), so the
 *   owner answers it.
 * - **End**: when `incoming` completes or errors, every server is told and forgotten; a `serve`
 *   subscribed later starts a new coordinator.
 *
 * Not exported from `stanzakit/rx`.
 */
import type { Subscription } from 'rxjs'
import { isRosterPushFrom, Roster } from '../../ext/Roster.js'
import type * as Iq from '../../Iq.js'
import type { Jid } from '../../Jid.js'
import type { Stanza } from '../../Stanza.js'
import { isIqRequest } from '../iqRequests.js'
import type { StanzaStream } from '../StanzaStream.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One running `serve`, as its stream's coordinator sees it. */
export interface Server {
  /**
   * Takes `req` if one of its handlers matches it (or a `predicate` throws, a failure it
   * answers): starts the answer and returns `true`. `false` once unsubscribed.
   */
  readonly offer: (req: Iq.Request) => boolean
  /** Answers `req`, which no server took, with its unhandled reply; `false` once unsubscribed. */
  readonly decline: (req: Iq.Request) => boolean
  /** `incoming` completed (`failed`: errored). */
  readonly end: (failed: boolean) => void
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * RFC 6121 §2.1.6: a roster push counts only from our own account (`ext.isRosterPushFrom`);
 * before we are bound (`me` undefined), only one without `from`. Everything else passes.
 */
export const sameSender = (me: Jid | undefined, req: Iq.Request): boolean => {
  if (req.type !== 'set' || !Roster.has(req)) return true
  return me === undefined ? req.from === undefined : isRosterPushFrom(me)(req)
}

const isRequest = isIqRequest()

/** The requests a server took. Weak: a request is held no longer than its owner holds it. */
const taken = new WeakSet<Iq.Request>()

/**
 * For the owner of a stream, right after it emitted `s` on `incoming` (with `me`, the stream's
 * `jid`): `s` is a get/set that is ours to answer ({@link sameSender}) and that no `serve` took.
 */
export const unserved = (s: Stanza, me: Jid | undefined): s is Iq.Request =>
  isRequest(s) && !taken.has(s) && sameSender(me, s)

// -------------------------------------------------------------------------------------
// the coordinator
// -------------------------------------------------------------------------------------

class Coordinator {
  /** Registration order; replaced, never mutated, so routing iterates a stable array. */
  servers: ReadonlyArray<Server> = []
  private listening: Subscription | undefined = undefined
  private starting = false

  constructor(private readonly stream: StanzaStream) {}

  add(s: Server): () => void {
    this.servers = [...this.servers, s]
    this.listen()
    return () => this.remove(s)
  }

  private remove(s: Server): void {
    if (!this.servers.includes(s)) return
    this.servers = this.servers.filter((x) => x !== s)
    if (this.servers.length > 0) return
    const sub = this.listening
    this.listening = undefined
    this.forget()
    sub?.unsubscribe()
  }

  private listen(): void {
    if (this.listening !== undefined || this.starting) return
    this.starting = true
    let sub: Subscription
    try {
      sub = this.stream.incoming.subscribe({
        next: (s) => this.route(s),
        error: () => this.close(true),
        complete: () => this.close(false),
      })
    } finally {
      this.starting = false
    }
    // It may have ended (close() ran), or lost every server, while subscribing.
    if (sub.closed) return
    if (this.servers.length === 0) sub.unsubscribe()
    else this.listening = sub
  }

  private route(s: Stanza): void {
    if (!isRequest(s) || !sameSender(this.stream.jid, s)) return
    const servers = this.servers
    for (const server of servers)
      if (server.offer(s)) {
        taken.add(s)
        return
      }
    for (const server of servers)
      if (server.decline(s)) {
        taken.add(s)
        return
      }
  }

  private close(failed: boolean): void {
    const servers = this.servers
    this.servers = []
    this.listening = undefined
    this.forget()
    for (const s of servers) s.end(failed)
  }

  private forget(): void {
    if (coordinators.get(this.stream) === this) coordinators.delete(this.stream)
  }
}

/**
 * The module's mutable state: one coordinator per stream object with a `serve` running. Bounded
 * by the streams alive: a `WeakMap` keyed by the stream, and an entry is removed as soon as its
 * last server unregisters or its `incoming` ends.
 */
const coordinators = new WeakMap<StanzaStream, Coordinator>()

/**
 * Registers `server` for the get/set of `stream` (after those registered before it); returns
 * the unregistering function. May deliver synchronously (a cold or replaying `incoming`), so the
 * server must be ready to answer.
 */
export const register = (stream: StanzaStream, server: Server): (() => void) => {
  let c = coordinators.get(stream)
  if (c === undefined) {
    c = new Coordinator(stream)
    coordinators.set(stream, c)
  }
  return c.add(server)
}
