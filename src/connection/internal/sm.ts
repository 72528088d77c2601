/**
 * XEP-0198 Stream Management (version 1.6) as a pure step function: `step(options)(state, event,
 * now)` returns the next state and the effects the connection must perform, in order. No I/O, no
 * timers, no clock: time comes in as `now` (ms, any monotonic origin), and the socket code only
 * performs effects (write a stanza, send a nonza, resend, fall back after a fresh bind, fail the
 * pending IQs, end the stream with an error). Internal.
 *
 * The protocol, briefly (XEP-0198 §3–§6):
 *
 * - after binding, the client sends `<enable resume='true'/>`; the stanzas it sends count from
 *   then on (this module holds them until `<enabled/>`), the stanzas it handles (`h`) from the
 *   server's `<enabled/>` on;
 * - `<r/>` asks the peer for its `h`, `<a h/>` answers; the sender drops every stanza the
 *   answer covers from its queue of unacknowledged stanzas;
 * - after a lost link, `<resume previd h/>` on a new stream; `<resumed h/>` says what the server
 *   handled, and the client resends exactly the rest, in order; `<failed/>` means a fresh bind,
 *   the unacknowledged stanzas sent again with a `<delay/>` (XEP-0203), pending IQs failed;
 * - every counter is an `unsignedInt` and wraps to 0 at 2^32 (§4).
 *
 * Only `<message/>`, `<presence/>` and `<iq/>` count (§1): never a nonza. `h` counts from
 * `<enabled/>`, never earlier (docs/prosody.md, gotcha 3: an over-ack makes Prosody end the
 * stream).
 *
 * The namespace `urn:xmpp:sm:3` is {@link NS_SM} here, not in `internal/ns.ts` (which lists it
 * in `streamLevel` only); move it there when that file is free.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as NS from '../../internal/ns.js'
import { stanzaNames } from '../../internal/stanza.js'
import * as Xml from '../../Xml.js'

// -------------------------------------------------------------------------------------
// counters (XEP-0198 §4)
// -------------------------------------------------------------------------------------

/**
 * `urn:xmpp:sm:3` (XEP-0198 §2, §12.1).
 *
 * @category model
 * @since 0.2.0
 */
export const NS_SM = 'urn:xmpp:sm:3'

/**
 * The largest `h`: 2^32 − 1. The next one is 0 (XEP-0198 §4: "reset from 2^32−1 back to zero").
 *
 * @category model
 * @since 0.2.0
 */
export const MAX_H = 0xffff_ffff

/**
 * `h + n` modulo 2^32 (XEP-0198 §4). `n ≥ 0`.
 *
 * @category utils
 * @since 0.2.0
 */
export const addH = (h: number, n: number): number => (h + n) >>> 0

/**
 * How far `to` is ahead of `from`, modulo 2^32: the number of stanzas an `h` of `to` acknowledges
 * beyond an `h` of `from`, in `[0, 2^32)`.
 *
 * @category utils
 * @since 0.2.0
 */
export const diffH = (from: number, to: number): number => (to - from) >>> 0

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A stanza sent and not yet acknowledged, with the time it was first handed to `step`: the stamp
 * of the `<delay/>` if it has to be sent again on a new session (XEP-0198 §4, XEP-0203).
 *
 * @category model
 * @since 0.2.0
 */
export interface Unacked<A> {
  readonly stanza: A
  readonly sentAt: number
}

/**
 * What one stream-management session knows, in every state but `Disabled`.
 *
 * - `outbound`: the last `h` the server acknowledged (our sent stanzas it handled); the number
 *   of stanzas sent is `addH(outbound, unacked.length)`, so the two cannot disagree;
 * - `inbound`: our `h`, the stanzas we handled since `<enabled/>`;
 * - `unacked`: sent (or queued while detached) and not acknowledged, oldest first;
 * - `sinceRequest`: how many of the newest `unacked` were sent after our last `<r/>`;
 * - `requestedAt`: when our oldest unanswered `<r/>` went out, if one is unanswered.
 *
 * @category model
 * @since 0.2.0
 */
export interface Session<A> {
  readonly id: string | undefined
  readonly resumable: boolean
  readonly location: string | undefined
  /** The server's maximum resumption time, seconds (`<enabled max/>`). */
  readonly max: number | undefined
  readonly inbound: number
  readonly outbound: number
  readonly unacked: ReadonlyArray<Unacked<A>>
  readonly sinceRequest: number
  readonly requestedAt: number | undefined
}

/**
 * No stream management on this stream: not enabled yet, refused, or given up.
 *
 * @category model
 * @since 0.2.0
 */
export interface Disabled {
  readonly _tag: 'Disabled'
}

/**
 * `<enable/>` sent, no answer yet. Stanzas sent now are held (queued, not written) until
 * `<enabled/>`: were the link lost before it, the session could not be resumed, and a stanza
 * the server had handled would be sent twice. Received stanzas do not count yet (§4).
 *
 * @category model
 * @since 0.2.0
 */
export interface Enabling<A> extends Session<A> {
  readonly _tag: 'Enabling'
}

/**
 * Enabled on a live stream: stanzas are counted both ways and acked.
 *
 * @category model
 * @since 0.2.0
 */
export interface Enabled<A> extends Session<A> {
  readonly _tag: 'Enabled'
}

/**
 * The link is lost and the session can be resumed: stanzas sent now are queued (not written)
 * and go out with the resend on `<resumed/>`.
 *
 * @category model
 * @since 0.2.0
 */
export interface Detached<A> extends Session<A> {
  readonly _tag: 'Detached'
  readonly id: string
}

/**
 * `<resume/>` sent on a new stream, no answer yet.
 *
 * @category model
 * @since 0.2.0
 */
export interface Resuming<A> extends Session<A> {
  readonly _tag: 'Resuming'
  readonly id: string
}

/**
 * The state of stream management on one client, across its links. `A` is whatever the
 * connection queues for a resend: a `Stanza`, its serialized XML, or both.
 *
 * @category model
 * @since 0.2.0
 */
export type State<A> = Disabled | Enabling<A> | Enabled<A> | Detached<A> | Resuming<A>

/**
 * An event: something read from the stream (decoded by {@link fromElement}), something the
 * connection does, or the passing of time.
 *
 * From the server: `Enabled`, `Failed`, `Resumed`, `AckRequest` (`<r/>`), `Ack` (`<a h/>`),
 * `StanzaIn` (a message, presence or iq was handled), `Malformed` (an SM element we cannot read).
 * From the connection: `Enable` (after bind), `StanzaOut` (the app sends a stanza), `Tick` (a
 * timer fired; see {@link nextDeadline}), `LinkLost` (the socket is gone, uncleanly), `Resume`
 * (a new stream is authenticated and offers SM), `Abandon` (the old session will not be
 * resumed: the new stream has no SM, or the client gives up), `Close` (a clean close by us).
 *
 * @category model
 * @since 0.2.0
 */
export type Event<A> = Incoming | Command<A>

/**
 * The events read from the stream ({@link fromElement}).
 *
 * @category model
 * @since 0.2.0
 */
export type Incoming =
  | {
      readonly _tag: 'Enabled'
      readonly id: string | undefined
      readonly resume: boolean
      readonly max: number | undefined
      readonly location: string | undefined
    }
  | {
      readonly _tag: 'Failed'
      readonly condition: string | undefined
      readonly h: number | undefined
    }
  | { readonly _tag: 'Resumed'; readonly previd: string; readonly h: number }
  | { readonly _tag: 'AckRequest' }
  | { readonly _tag: 'Ack'; readonly h: number }
  | { readonly _tag: 'StanzaIn' }
  | { readonly _tag: 'Malformed'; readonly name: string; readonly reason: string }

/**
 * The events the connection feeds in.
 *
 * @category model
 * @since 0.2.0
 */
export type Command<A> =
  | { readonly _tag: 'Enable' }
  | { readonly _tag: 'StanzaOut'; readonly stanza: A }
  | { readonly _tag: 'Tick' }
  | { readonly _tag: 'LinkLost' }
  | { readonly _tag: 'Resume' }
  | { readonly _tag: 'Abandon' }
  | { readonly _tag: 'Close' }

/**
 * What the connection must do, in the order given.
 *
 * - `Write`: write this stanza now (it is counted and queued already, unless SM is disabled);
 * - `Send`: write this SM nonza now (`<enable/>`, `<r/>`, `<a/>`, `<resume/>`);
 * - `Resend`: after `<resumed/>`, write exactly these stanzas, in this order (they stay queued
 *   and count again, §5);
 * - `Acknowledged`: the server handled these stanzas (for delivery reports; nothing to write);
 * - `Fallback`: the session is gone; after a fresh bind (and `Enable`), send each stanza again
 *   through `StanzaOut` with a `<delay stamp=sentAt/>` (XEP-0198 §4, XEP-0203);
 * - `FailPendingIqs`: the session is gone, so no response can come: fail every pending request
 *   with `IqClosed`;
 * - `StreamError`: end the stream with this error (the session cannot continue);
 * - `Backpressure`: the unacked queue is full (`maxUnacked`): this stanza was neither written
 *   nor queued; offer it again after an `Acknowledged`;
 * - `AckTimeout`: our `<r/>` went unanswered for `ackTimeout`: treat the link as dead;
 * - `Unconfirmed`: closed with these stanzas never acknowledged (report them).
 *
 * @category model
 * @since 0.2.0
 */
export type Effect<A> =
  | { readonly _tag: 'Write'; readonly stanza: A }
  | { readonly _tag: 'Send'; readonly element: Xml.XmlElement }
  | { readonly _tag: 'Resend'; readonly stanzas: ReadonlyArray<A> }
  | { readonly _tag: 'Acknowledged'; readonly stanzas: ReadonlyArray<A> }
  | { readonly _tag: 'Fallback'; readonly stanzas: ReadonlyArray<Unacked<A>> }
  | { readonly _tag: 'FailPendingIqs' }
  | {
      readonly _tag: 'StreamError'
      readonly condition: string
      readonly text: string
      /** An application-specific condition element to add (RFC 6120 §4.9.4). */
      readonly element: Xml.XmlElement | undefined
    }
  | { readonly _tag: 'Backpressure'; readonly stanza: A; readonly limit: number }
  | { readonly _tag: 'AckTimeout'; readonly requestedAt: number }
  | { readonly _tag: 'Unconfirmed'; readonly stanzas: ReadonlyArray<Unacked<A>> }

/**
 * The result of one step.
 *
 * @category model
 * @since 0.2.0
 */
export interface Step<A> {
  readonly state: State<A>
  readonly effects: ReadonlyArray<Effect<A>>
}

/**
 * Tuning. Times in ms, like `now`.
 *
 * - `resume`: ask for a resumable session (`<enable resume='true'/>`, §5);
 * - `maxResumptionTime`: our preferred maximum resumption time, seconds (`<enable max/>`);
 * - `ackThreshold`: request an ack once this many stanzas were sent since the last request
 *   (§8.2, "every 5 stanzas");
 * - `ackInterval`: request an ack when a stanza has waited this long without one being
 *   requested, so every stanza is covered by an `<r/>` within `ackInterval` of its sending;
 * - `ackTimeout`: an `<r/>` unanswered this long yields `AckTimeout` (`Infinity`: never);
 * - `maxUnacked`: the cap on the unacked queue (then `Backpressure`).
 *
 * @category model
 * @since 0.2.0
 */
export interface Options {
  readonly resume: boolean
  readonly maxResumptionTime: number | undefined
  readonly ackThreshold: number
  readonly ackInterval: number
  readonly ackTimeout: number
  readonly maxUnacked: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The defaults: resumable, an ack every 5 stanzas or within 1 s, no ack timeout, 1,000 unacked.
 *
 * @category constructors
 * @since 0.2.0
 */
export const defaults: Options = Object.freeze({
  resume: true,
  maxResumptionTime: undefined,
  ackThreshold: 5,
  ackInterval: 1_000,
  ackTimeout: Number.POSITIVE_INFINITY,
  maxUnacked: 1_000,
})

const positiveInt = (name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 1)
    throw new RangeError(`sm: ${name} must be an integer ≥ 1, got ${String(v)}`)
  return v
}

const positiveTime = (name: string, v: number): number => {
  if (typeof v !== 'number' || !(v > 0))
    throw new RangeError(`sm: ${name} must be a number of ms > 0, got ${String(v)}`)
  return v
}

/**
 * Options over {@link defaults}; an invalid value is a programmer error (`RangeError`).
 *
 * @category constructors
 * @since 0.2.0
 */
export const options = (o: Partial<Options> = {}): Options => {
  const r = { ...defaults, ...o }
  if (typeof r.resume !== 'boolean') throw new RangeError('sm: resume must be a boolean')
  if (r.maxResumptionTime !== undefined) positiveInt('maxResumptionTime', r.maxResumptionTime)
  positiveInt('ackThreshold', r.ackThreshold)
  positiveTime('ackInterval', r.ackInterval)
  positiveTime('ackTimeout', r.ackTimeout)
  positiveInt('maxUnacked', r.maxUnacked)
  return Object.freeze(r)
}

/**
 * The initial state.
 *
 * @category constructors
 * @since 0.2.0
 */
export const disabled: Disabled = Object.freeze({ _tag: 'Disabled' })

const fresh = <A>(): Session<A> => ({
  id: undefined,
  resumable: false,
  location: undefined,
  max: undefined,
  inbound: 0,
  outbound: 0,
  unacked: [],
  sinceRequest: 0,
  requestedAt: undefined,
})

// -------------------------------------------------------------------------------------
// elements (XEP-0198 §3–§6, schema §13)
// -------------------------------------------------------------------------------------

/**
 * `<enable/>`, with `resume='true'` and `max` when asked (§3, §5).
 *
 * @category constructors
 * @since 0.2.0
 */
export const enable = (o: Pick<Options, 'resume' | 'maxResumptionTime'>): Xml.XmlElement =>
  Xml.element('enable', NS_SM, {
    ...(o.resume ? { resume: 'true' } : {}),
    ...(o.maxResumptionTime === undefined ? {} : { max: String(o.maxResumptionTime) }),
  })

/**
 * `<r/>`: a request for the peer's `h` (§4).
 *
 * @category constructors
 * @since 0.2.0
 */
export const request = (): Xml.XmlElement => Xml.element('r', NS_SM)

/**
 * `<a h/>`: our `h` (§4).
 *
 * @category constructors
 * @since 0.2.0
 */
export const answer = (h: number): Xml.XmlElement => Xml.element('a', NS_SM, { h: String(h) })

/**
 * `<resume previd h/>` (§5).
 *
 * @category constructors
 * @since 0.2.0
 */
export const resume = (previd: string, h: number): Xml.XmlElement =>
  Xml.element('resume', NS_SM, { previd, h: String(h) })

/**
 * `<handled-count-too-high h send-count/>`, the application condition of the stream error sent
 * when the peer acknowledges more than it was sent (§6).
 *
 * @category constructors
 * @since 0.2.0
 */
export const handledCountTooHigh = (h: number, sendCount: number): Xml.XmlElement =>
  Xml.element('handled-count-too-high', NS_SM, { h: String(h), 'send-count': String(sendCount) })

/**
 * An `xs:unsignedInt` (optional `+`, leading zeros and surrounding whitespace allowed), else
 * `undefined`.
 *
 * @category codecs
 * @since 0.2.0
 */
export const parseH = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined
  const m = /^[ \t\r\n]*\+?0*([0-9]{1,10})[ \t\r\n]*$/.exec(s)
  if (m === null) return undefined
  const n = Number(m[1])
  return n <= MAX_H ? n : undefined
}

const parseBool = (s: string | undefined): boolean => {
  const t = s?.trim()
  return t === 'true' || t === '1'
}

const parsePositive = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^[ \t\r\n]*\+?[0-9]{1,15}[ \t\r\n]*$/.test(s)) return undefined
  const n = Number(s.trim())
  return n >= 1 ? n : undefined
}

/**
 * What a top-level element read from the stream means to stream management: an SM nonza in
 * `urn:xmpp:sm:3`, a counted stanza (`message`, `presence`, `iq` in the content namespace `ns`),
 * or `undefined` (anything else, nonzas of other protocols included: they are not counted, §1).
 * An SM element that breaks the schema is `Malformed` (the caller ends the stream: `invalid-xml`,
 * as Prosody does).
 *
 * @category codecs
 * @since 0.2.0
 */
export const fromElement = (el: Xml.XmlElement, ns: string = NS.CLIENT): Incoming | undefined => {
  if (stanzaNames.has(el.name)) return el.ns === ns ? { _tag: 'StanzaIn' } : undefined
  if (el.ns !== NS_SM) return undefined
  const a = el.attrs
  switch (el.name) {
    case 'r':
      return { _tag: 'AckRequest' }
    case 'a': {
      const h = parseH(a.h)
      return h === undefined ? malformed('a', "missing or invalid 'h'") : { _tag: 'Ack', h }
    }
    case 'enabled':
      return {
        _tag: 'Enabled',
        id: a.id === undefined || a.id === '' ? undefined : a.id,
        resume: parseBool(a.resume),
        max: parsePositive(a.max),
        location: a.location === undefined || a.location === '' ? undefined : a.location,
      }
    case 'failed': {
      let condition: string | undefined
      for (const c of el.children)
        if (typeof c !== 'string' && c.ns === NS.STANZA_ERRORS && c.name !== 'text') {
          condition = c.name
          break
        }
      return { _tag: 'Failed', condition, h: parseH(a.h) }
    }
    case 'resumed': {
      const h = parseH(a.h)
      if (h === undefined) return malformed('resumed', "missing or invalid 'h'")
      if (a.previd === undefined) return malformed('resumed', "missing 'previd'")
      return { _tag: 'Resumed', previd: a.previd, h }
    }
    default:
      return undefined
  }
}

const malformed = (name: string, reason: string): Incoming => ({
  _tag: 'Malformed',
  name,
  reason,
})

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The number of stanzas sent in this session, modulo 2^32: the server's `h` once it has handled
 * them all.
 *
 * @category getters
 * @since 0.2.0
 */
export const sentCount = (s: Session<unknown>): number => addH(s.outbound, s.unacked.length)

/**
 * Whether a lost link can be resumed: the state is `Detached`.
 *
 * @category getters
 * @since 0.2.0
 */
export const canResume = <A>(s: State<A>): s is Detached<A> => s._tag === 'Detached'

/**
 * The unacknowledged stanzas, oldest first (empty when disabled).
 *
 * @category getters
 * @since 0.2.0
 */
export const unackedOf = <A>(s: State<A>): ReadonlyArray<Unacked<A>> =>
  s._tag === 'Disabled' ? [] : s.unacked

/**
 * The earliest `now` at which a `Tick` can have an effect (an idle ack request or an ack
 * timeout), or `undefined` when no timer is needed. The connection sets one timer for it.
 *
 * @category getters
 * @since 0.2.0
 */
export const nextDeadline =
  (options: Options) =>
  <A>(s: State<A>): number | undefined => {
    if (s._tag !== 'Enabled') return undefined
    let t: number | undefined
    const pending = pendingSince(s)
    if (pending !== undefined) t = pending + options.ackInterval
    if (s.requestedAt !== undefined && Number.isFinite(options.ackTimeout)) {
      const d = s.requestedAt + options.ackTimeout
      t = t === undefined ? d : Math.min(t, d)
    }
    return t
  }

/** When the oldest stanza not yet covered by an `<r/>` was sent. */
const pendingSince = <A>(s: Session<A>): number | undefined =>
  s.sinceRequest === 0 ? undefined : s.unacked[s.unacked.length - s.sinceRequest]?.sentAt

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const same = <A>(state: State<A>): Step<A> => ({ state, effects: [] })

const send = <A>(element: Xml.XmlElement): Effect<A> => ({ _tag: 'Send', element })

/** `<r/>` now: resets the burst count, starts the ack timeout unless one runs. */
const requested = <S extends Session<unknown>>(s: S, now: number): S => ({
  ...s,
  sinceRequest: 0,
  requestedAt: s.requestedAt ?? now,
})

/**
 * The session is gone (not resumable, resumption refused, or given up): fail the pending IQs and
 * hand the unacknowledged stanzas back for a resend after a fresh bind.
 */
const giveUp = <A>(
  unacked: ReadonlyArray<Unacked<A>>,
  before: ReadonlyArray<Effect<A>> = [],
): Step<A> => {
  const effects: Effect<A>[] = [...before, { _tag: 'FailPendingIqs' }]
  if (unacked.length > 0) effects.push({ _tag: 'Fallback', stanzas: unacked })
  return { state: disabled, effects }
}

/**
 * An `h` from the server (on `<a/>`, `<resumed/>`): how many of our unacked stanzas it covers,
 * or `undefined` when it covers more than we sent (§6, `handled-count-too-high`).
 */
const covered = (s: Session<unknown>, h: number): number | undefined => {
  const n = diffH(s.outbound, h)
  return n <= s.unacked.length ? n : undefined
}

/** Drops the first `n` unacked stanzas: the changed fields and the `Acknowledged` effect, if any. */
const acknowledge = <A>(
  s: Session<A>,
  n: number,
): {
  readonly patch: Pick<Session<A>, 'outbound' | 'unacked' | 'sinceRequest'>
  readonly effects: ReadonlyArray<Effect<A>>
} => {
  const unacked = s.unacked.slice(n)
  return {
    patch: {
      outbound: addH(s.outbound, n),
      unacked,
      sinceRequest: Math.min(s.sinceRequest, unacked.length),
    },
    effects:
      n === 0
        ? []
        : [{ _tag: 'Acknowledged', stanzas: s.unacked.slice(0, n).map((u) => u.stanza) }],
  }
}

/**
 * The server acknowledged more than we sent: end the stream with `undefined-condition` and
 * `<handled-count-too-high/>` (§6). The session cannot go on, and what it handled is unknown, so
 * everything unacknowledged falls back (a duplicate is possible, a loss is not).
 */
const tooHigh = <A>(s: Session<A>, h: number): Step<A> => {
  const sent = sentCount(s)
  return giveUp(s.unacked, [
    {
      _tag: 'StreamError',
      condition: 'undefined-condition',
      text: `handled-count-too-high: h=${h} acknowledges more than the ${sent} stanzas sent`,
      element: handledCountTooHigh(h, sent),
    },
  ])
}

const onStanzaOut = <A>(options: Options, state: State<A>, stanza: A, now: number): Step<A> => {
  if (state._tag === 'Disabled') return { state, effects: [{ _tag: 'Write', stanza }] }
  if (state.unacked.length >= options.maxUnacked) {
    const effects: Effect<A>[] = []
    let next: State<A> = state
    if (state._tag === 'Enabled' && state.requestedAt === undefined) {
      next = requested(state, now)
      effects.push(send(request()))
    }
    effects.push({ _tag: 'Backpressure', stanza, limit: options.maxUnacked })
    return { state: next, effects }
  }
  const queued = {
    ...state,
    unacked: [...state.unacked, { stanza, sentAt: now }],
    sinceRequest: state.sinceRequest + 1,
  }
  switch (queued._tag) {
    case 'Detached':
    case 'Resuming':
      // No stream to write to: the stanza goes out with the resend on <resumed/>.
      return { state: queued, effects: [] }
    case 'Enabling':
      // Held until <enabled/> (see Enabling).
      return { state: queued, effects: [] }
    case 'Enabled':
      return queued.sinceRequest >= options.ackThreshold
        ? {
            state: requested(queued, now),
            effects: [{ _tag: 'Write', stanza }, send(request())],
          }
        : { state: queued, effects: [{ _tag: 'Write', stanza }] }
  }
}

const onTick = <A>(options: Options, state: State<A>, now: number): Step<A> => {
  if (state._tag !== 'Enabled') return same(state)
  if (state.requestedAt !== undefined && now - state.requestedAt >= options.ackTimeout)
    return {
      state: { ...state, requestedAt: undefined },
      effects: [{ _tag: 'AckTimeout', requestedAt: state.requestedAt }],
    }
  const pending = pendingSince(state)
  if (pending !== undefined && now - pending >= options.ackInterval)
    return { state: requested(state, now), effects: [send(request())] }
  return same(state)
}

const onLinkLost = <A>(state: State<A>): Step<A> => {
  switch (state._tag) {
    case 'Disabled':
    case 'Detached':
      return same(state)
    case 'Enabling':
      return giveUp(state.unacked)
    case 'Resuming':
      return same({ ...state, _tag: 'Detached' })
    case 'Enabled':
      return state.resumable && state.id !== undefined
        ? same({ ...state, _tag: 'Detached', id: state.id, requestedAt: undefined })
        : giveUp(state.unacked)
  }
}

/**
 * One step of stream management (XEP-0198): the next state and the effects to perform, in
 * order. Total: an event that does not apply in a state leaves it unchanged, with no effects.
 *
 * | event | in | effects, next state |
 * |---|---|---|
 * | `Enable` | Disabled | `<enable/>`; Enabling |
 * | `Enabled` | Enabling | `Write` the held stanzas, `<r/>` on a burst; Enabled (`h` counts from here) |
 * | `Failed` | Enabling | `Write` the held stanzas; Disabled (the stream goes on without SM) |
 * | `Failed` | Resuming | `Acknowledged` (with `h`), `FailPendingIqs`, `Fallback`; Disabled |
 * | `Resumed` | Resuming | `Acknowledged`, `Resend` the rest, `<r/>`; Enabled |
 * | `AckRequest` | Enabling, Enabled | `<a h/>` |
 * | `Ack` | Enabling, Enabled | `Acknowledged`, or `StreamError` when too high |
 * | `StanzaIn` | Enabled | (`h` + 1) |
 * | `StanzaOut` | any | `Write` (+ `<r/>` on a burst); held while Enabling, Detached, Resuming; `Backpressure` at the cap |
 * | `Tick` | Enabled | `AckTimeout`, or `<r/>` when a stanza waited `ackInterval` |
 * | `LinkLost` | Enabled, Resuming | resumable: Detached; else `FailPendingIqs`, `Fallback`; Disabled |
 * | `Resume` | Detached | `<resume previd h/>`; Resuming |
 * | `Abandon` | Detached, Resuming | `FailPendingIqs`, `Fallback`; Disabled |
 * | `Close` | any but Disabled | `<a h/>` (when enabled), `Unconfirmed`; Disabled |
 *
 * @category rules
 * @since 0.2.0
 */
export const step =
  (options: Options) =>
  <A>(state: State<A>, event: Event<A>, now: number): Step<A> => {
    switch (event._tag) {
      case 'Enable':
        // One attempt per stream (§3); a previous session must be resumed or abandoned first.
        if (state._tag !== 'Disabled') return same(state)
        return { state: { _tag: 'Enabling', ...fresh<A>() }, effects: [send(enable(options))] }

      case 'Enabled': {
        if (state._tag !== 'Enabling') return same(state)
        const enabled: Enabled<A> = {
          ...state,
          _tag: 'Enabled',
          id: event.id,
          // §5: resumable only with resume='true' and an id.
          resumable: event.resume && event.id !== undefined,
          location: event.location,
          max: event.max,
          inbound: 0,
        }
        // The stanzas held while enabling go out now, counted from here on both sides.
        const effects: Effect<A>[] = enabled.unacked.map((u) => ({
          _tag: 'Write',
          stanza: u.stanza,
        }))
        if (enabled.sinceRequest < options.ackThreshold) return { state: enabled, effects }
        effects.push(send(request()))
        return { state: requested(enabled, now), effects }
      }

      case 'Failed': {
        // Enabling refused: the stream goes on without SM, the held stanzas are written now.
        if (state._tag === 'Enabling')
          return {
            state: disabled,
            effects: state.unacked.map((u) => ({ _tag: 'Write', stanza: u.stanza })),
          }
        if (state._tag !== 'Resuming') return same(state)
        // §5: a <failed h/> tells what the old session handled; an h out of range is ignored
        // (everything falls back: a duplicate is possible, a loss is not).
        const n = event.h === undefined ? undefined : covered(state, event.h)
        const { patch, effects } = acknowledge(state, n ?? 0)
        return giveUp(patch.unacked, effects)
      }

      case 'Resumed': {
        if (state._tag !== 'Resuming') return same(state)
        if (event.previd !== state.id)
          return {
            state: { ...state, _tag: 'Detached' },
            effects: [
              {
                _tag: 'StreamError',
                condition: 'undefined-condition',
                text: 'resumed a session we did not ask for (previd)',
                element: undefined,
              },
            ],
          }
        const n = covered(state, event.h)
        if (n === undefined) return tooHigh(state, event.h)
        const { patch, effects } = acknowledge(state, n)
        const enabled: Enabled<A> = { ...state, ...patch, _tag: 'Enabled', requestedAt: undefined }
        if (enabled.unacked.length === 0) return { state: enabled, effects }
        // §5: after the h, re-send every stanza still unhandled, then ask for an ack.
        return {
          state: requested(enabled, now),
          effects: [
            ...effects,
            { _tag: 'Resend', stanzas: enabled.unacked.map((u) => u.stanza) },
            send(request()),
          ],
        }
      }

      case 'AckRequest':
        // §4: answered at once, with the number of stanzas handled.
        if (state._tag !== 'Enabled' && state._tag !== 'Enabling') return same(state)
        return { state, effects: [send(answer(state.inbound))] }

      case 'Ack': {
        if (state._tag !== 'Enabled' && state._tag !== 'Enabling') return same(state)
        const n = covered(state, event.h)
        if (n === undefined) return tooHigh(state, event.h)
        const { patch, effects } = acknowledge(state, n)
        // Any <a/> shows the link alive: the ack timeout stops.
        return { state: { ...state, ...patch, requestedAt: undefined }, effects }
      }

      case 'StanzaIn':
        // h counts from <enabled/> only (§4; docs/prosody.md gotcha 3).
        if (state._tag !== 'Enabled') return same(state)
        return same({ ...state, inbound: addH(state.inbound, 1) })

      case 'Malformed':
        if (state._tag === 'Disabled') return same(state)
        return {
          state,
          effects: [
            {
              _tag: 'StreamError',
              condition: 'invalid-xml',
              text: `<${event.name}/>: ${event.reason}`,
              element: undefined,
            },
          ],
        }

      case 'StanzaOut':
        return onStanzaOut(options, state, event.stanza, now)

      case 'Tick':
        return onTick(options, state, now)

      case 'LinkLost':
        return onLinkLost(state)

      case 'Resume':
        if (state._tag !== 'Detached') return same(state)
        return {
          state: { ...state, _tag: 'Resuming' },
          effects: [send(resume(state.id, state.inbound))],
        }

      case 'Abandon':
        if (state._tag !== 'Detached' && state._tag !== 'Resuming') return same(state)
        return giveUp(state.unacked)

      case 'Close': {
        if (state._tag === 'Disabled') return same(state)
        // §4: RECOMMENDED, an <a/> right before a graceful close.
        const effects: Effect<A>[] = state._tag === 'Enabled' ? [send(answer(state.inbound))] : []
        if (state.unacked.length > 0) effects.push({ _tag: 'Unconfirmed', stanzas: state.unacked })
        return { state: disabled, effects }
      }
    }
  }

// -------------------------------------------------------------------------------------
// persisted state
// -------------------------------------------------------------------------------------

/**
 * Resumption state an app can persist (JSON) to resume after a restart: the SM-ID, both
 * counters, and the unacknowledged stanzas as XML with the time they were sent. `jid` is the
 * bound full JID of the session (a resumed session binds no resource, so the client cannot
 * learn it otherwise); stream management itself does not read it.
 *
 * @category codecs
 * @since 0.2.0
 */
export interface SmState {
  readonly version: 1
  readonly id: string
  readonly jid?: string
  readonly location?: string
  readonly max?: number
  readonly inbound: number
  readonly outbound: number
  readonly unacked: ReadonlyArray<{ readonly xml: string; readonly sentAt: number }>
}

/**
 * The persistable state of a resumable session (`Enabled`, `Detached` or `Resuming`), else
 * `undefined`. `encode` turns a queued stanza into XML.
 *
 * @category codecs
 * @since 0.2.0
 */
export const toSmState = <A>(
  state: State<A>,
  encode: (a: A) => string,
  jid?: string,
): SmState | undefined => {
  if (state._tag === 'Disabled' || state._tag === 'Enabling') return undefined
  if (!state.resumable || state.id === undefined) return undefined
  return {
    version: 1,
    id: state.id,
    ...(jid === undefined ? {} : { jid }),
    ...(state.location === undefined ? {} : { location: state.location }),
    ...(state.max === undefined ? {} : { max: state.max }),
    inbound: state.inbound,
    outbound: state.outbound,
    unacked: state.unacked.map((u) => ({ xml: encode(u.stanza), sentAt: u.sentAt })),
  }
}

/**
 * A `Detached` state from persisted state: the next `Resume` sends `<resume previd h/>`, and on
 * `<resumed/>` the unacknowledged stanzas are resent. `decode` turns XML back into what the
 * connection queues.
 *
 * @category codecs
 * @since 0.2.0
 */
export const resumeFrom = <A>(s: SmState, decode: (xml: string) => A): Detached<A> => ({
  _tag: 'Detached',
  id: s.id,
  resumable: true,
  location: s.location,
  max: s.max,
  inbound: s.inbound,
  outbound: s.outbound,
  unacked: s.unacked.map((u) => ({ stanza: decode(u.xml), sentAt: u.sentAt })),
  sinceRequest: s.unacked.length,
  requestedAt: undefined,
})

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const isH = (u: unknown): u is number =>
  typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= MAX_H

/**
 * Checks a value read back (from JSON, storage) as {@link SmState}; `Left` says what is wrong.
 *
 * @category codecs
 * @since 0.2.0
 */
export const decodeSmState = (u: unknown): E.Either<string, SmState> => {
  if (!isRecord(u)) return E.left('not an object')
  if (u.version !== 1) return E.left('version: expected 1')
  if (typeof u.id !== 'string' || u.id === '') return E.left('id: expected a non-empty string')
  if (u.jid !== undefined && typeof u.jid !== 'string') return E.left('jid: expected a string')
  if (u.location !== undefined && typeof u.location !== 'string')
    return E.left('location: expected a string')
  if (
    u.max !== undefined &&
    !(typeof u.max === 'number' && Number.isSafeInteger(u.max) && u.max > 0)
  )
    return E.left('max: expected a positive integer')
  if (!isH(u.inbound)) return E.left('inbound: expected an integer in [0, 2^32)')
  if (!isH(u.outbound)) return E.left('outbound: expected an integer in [0, 2^32)')
  if (!Array.isArray(u.unacked)) return E.left('unacked: expected an array')
  const unacked: Array<{ readonly xml: string; readonly sentAt: number }> = []
  for (const [i, x] of (u.unacked as ReadonlyArray<unknown>).entries()) {
    if (!isRecord(x) || typeof x.xml !== 'string' || typeof x.sentAt !== 'number')
      return E.left(`unacked[${i}]: expected { xml: string, sentAt: number }`)
    if (!Number.isFinite(x.sentAt)) return E.left(`unacked[${i}].sentAt: expected a finite number`)
    unacked.push({ xml: x.xml, sentAt: x.sentAt })
  }
  return E.right({
    version: 1,
    id: u.id,
    ...(u.jid === undefined ? {} : { jid: u.jid }),
    ...(u.location === undefined ? {} : { location: u.location }),
    ...(u.max === undefined ? {} : { max: u.max }),
    inbound: u.inbound,
    outbound: u.outbound,
    unacked,
  })
}
