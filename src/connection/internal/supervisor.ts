/**
 * The machinery behind `connection.client`: one long-lived stanza stream over a succession of
 * links. Internal.
 *
 * - **Links** come and go: negotiate (`negotiate.ts`), go online (`live.ts`), lose it, wait
 *   (`backoff.ts`), again. The client object, its `incoming` Subject and everything keyed by it
 *   (`rx.request`'s dispatcher, `rx.serve`'s coordinator) outlive every link.
 * - **Stream management** is the pure step function of `sm.ts`; this module only feeds it events
 *   and performs its effects, so every rule of XEP-0198 lives in one tested place.
 * - **The outbox** keeps what the app sent and the link cannot take now (no link, a full write
 *   buffer, the SM unacked cap): bounded, in order, drained by `pump`. Stanzas refused because
 *   it is full go to `dropped` (newest dropped: the app learns at once, nothing is silently lost).
 * - **Keepalive** measures silence from the last byte read: a probe (`<r/>`, else an XEP-0199
 *   ping) after `interval`, the link dropped after `interval + timeout` (a half-open TCP
 *   connection never errors by itself).
 */
import { randomUUID } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { type Observable, ReplaySubject, Subject } from 'rxjs'
import { DateTime } from '../../Extension.js'
import * as Delay from '../../ext/Delay.js'
import { Ping } from '../../ext/Ping.js'
import * as Iq from '../../Iq.js'
import * as NS from '../../internal/ns.js'
import * as Jid from '../../Jid.js'
import { failPendingOn } from '../../rx/internal/dispatcher.js'
import * as Stanza from '../../Stanza.js'
import * as Xml from '../../Xml.js'
import type { Client, ClientStatus } from '../client.js'
import * as S from '../Session.js'
import * as Backoff from './backoff.js'
import { isLoopback, type Link, type Service } from './link.js'
import { live, type Wire } from './live.js'
import { bindResource, candidates, login, openLink, type Resolved } from './negotiate.js'
import * as Sm from './sm.js'
import { child, expectElement, streamErrorElement } from './stream.js'

const NS_CSI = 'urn:xmpp:csi:0'

/** A link that stayed online this long (ms) was a good session: the backoff starts over. */
export const GOOD_SESSION = 10_000

/** Everything `client(options)` checked. */
export interface Settings {
  readonly r: Resolved & { readonly timeout: number }
  readonly reconnect: Backoff.Backoff | undefined
  /** `undefined`: stream management off. */
  readonly sm: Sm.Options | undefined
  readonly resumeFrom: Sm.SmState | undefined
  readonly keepalive: { readonly interval: number; readonly timeout: number } | undefined
  readonly queueLimit: number
  /** Bytes buffered on the socket above which the outbox holds stanzas back. */
  readonly highWaterMark: number
  readonly closeTimeout: number
}

type Phase =
  | { readonly _tag: 'Connecting'; readonly link: Link | undefined }
  | { readonly _tag: 'Online'; readonly link: Link; readonly wire: Wire; readonly csi: boolean }
  | { readonly _tag: 'Waiting'; readonly timer: ReturnType<typeof setTimeout> }
  | { readonly _tag: 'Closed' }

const encodeStanza = (s: Stanza.Stanza): string => Stanza.encode(s)

const decodeStanza = (xml: string): Stanza.Stanza => {
  const d = Stanza.decode(xml)
  if (E.isLeft(d))
    throw new RangeError('connection.client: resumeFrom holds a stanza that does not decode')
  return d.right
}

/** An iq get/set: its requester is told `IqClosed` on a fallback, so it is not sent again. */
const isRequest = (s: Stanza.Stanza): boolean => s.kind === 'iq' && Iq.isRequest(s)

/** XEP-0198 §4 with XEP-0203: a stanza sent again on a new session says when it was first sent. */
const delayed = (u: Sm.Unacked<Stanza.Stanza>): Stanza.Stanza => {
  const s = u.stanza
  if (s.kind === 'iq' || Delay.Delay.has(s)) return s
  return Delay.Delay.set({ stamp: DateTime.fromDate(new Date(u.sentAt)), reason: '' })(s)
}

export const supervise = (o: Settings): Client => {
  const incoming = new Subject<Stanza.Stanza>()
  const status = new ReplaySubject<ClientStatus>(1)
  const dropped = new Subject<Stanza.Stanza>()
  const step = o.sm === undefined ? undefined : Sm.step(o.sm)
  const deadlineOf = o.sm === undefined ? undefined : Sm.nextDeadline(o.sm)

  let jid: Jid.Jid | undefined
  let sm: Sm.State<Stanza.Stanza> = Sm.disabled
  if (o.resumeFrom !== undefined) {
    sm = Sm.resumeFrom(o.resumeFrom, decodeStanza)
    const j = o.resumeFrom.jid === undefined ? undefined : Jid.parse(o.resumeFrom.jid)
    if (j !== undefined && E.isRight(j)) jid = j.right
  }
  let phase: Phase = { _tag: 'Connecting', link: undefined }
  const outbox: Stanza.Stanza[] = []
  /** Stanzas sent and never acknowledged when the client closed. */
  let unconfirmed: ReadonlyArray<Stanza.Stanza> = []
  let active = true
  /** The CSI state the server's session holds: active on a fresh one (XEP-0352 §3). */
  let told = true
  /** Failed attempts (and short-lived links) since the last good session. */
  let attempt = 0
  /** When the current link went online. */
  let onlineSince = 0
  let redirect: Service | undefined
  let smTimer: ReturnType<typeof setTimeout> | undefined
  let smTimerAt = 0
  let keepaliveTimer: ReturnType<typeof setTimeout> | undefined
  let pingId: string | undefined
  /** A `drain` listener is set on the current link (one at a time). */
  let draining = false
  /** The current link was a resumption, and whether the server has acknowledged anything on it. */
  let linkResumed = false
  let linkAcked = false
  /**
   * The last resumed link died silent (timed out with no `<a/>` ever): do not resume that
   * session again, bind afresh. Prosody 0.12 can resume a session whose parser still holds half
   * a stanza from the dead connection, and then swallows everything (docs/prosody.md, gotcha 11);
   * resuming it again would loop forever.
   */
  let distrust = false
  let closing = false
  let closed: Promise<void> | undefined
  let markClosed: () => void = () => undefined

  // --- stream management ------------------------------------------------------------

  /** Feeds one event to the step function, performs its effects, re-arms the SM timer. */
  const feed = (event: Sm.Event<Stanza.Stanza>): ReadonlyArray<Sm.Effect<Stanza.Stanza>> => {
    if (step === undefined) return []
    const r = step(sm, event, Date.now())
    sm = r.state
    perform(r.effects)
    armSmTimer()
    return r.effects
  }

  const wireOf = (): Wire | undefined => (phase._tag === 'Online' ? phase.wire : undefined)

  const perform = (effects: ReadonlyArray<Sm.Effect<Stanza.Stanza>>): void => {
    for (const e of effects) {
      const wire = wireOf()
      switch (e._tag) {
        case 'Write':
          wire?.send(e.stanza)
          break
        case 'Send':
          wire?.write(e.element)
          break
        case 'Resend':
          for (const s of e.stanzas) wire?.send(s)
          break
        case 'Acknowledged':
          // Room in the unacked queue: what waited for it can go.
          if (outbox.length > 0) queueMicrotask(pump)
          break
        case 'Fallback':
          // Sent again after the fresh bind, before what the app queued since, with a delay.
          outbox.unshift(...e.stanzas.filter((u) => !isRequest(u.stanza)).map(delayed))
          break
        case 'FailPendingIqs':
          failPendingOn(client)
          break
        case 'StreamError':
          wire?.fault(e.condition, e.text, e.element)
          break
        case 'Backpressure':
          break // pump keeps the stanza at the head of the outbox
        case 'AckTimeout':
          wire?.drop(S.timeout('stream management ack'))
          break
        case 'Unconfirmed':
          unconfirmed = e.stanzas.map((u) => u.stanza)
          break
      }
    }
  }

  /**
   * One timer for the step function's next deadline. It is moved only when the deadline comes
   * earlier: a later or vanished deadline leaves it to fire into a harmless `Tick`, which re-arms.
   * Re-arming on every stanza cost more than the rest of stream management (bench `e2e` client,
   * CPU per ping with SM on).
   */
  const armSmTimer = (): void => {
    const at = deadlineOf?.(sm)
    if (at === undefined || phase._tag !== 'Online') return
    if (smTimer !== undefined) {
      if (smTimerAt <= at) return
      clearTimeout(smTimer)
    }
    smTimerAt = at
    smTimer = setTimeout(
      () => {
        smTimer = undefined
        feed({ _tag: 'Tick' })
      },
      Math.max(0, at - Date.now()),
    )
  }

  // --- sending ----------------------------------------------------------------------

  /** Moves stanzas from the outbox to the link while it is online and can take them. */
  const pump = (): void => {
    while (outbox.length > 0 && phase._tag === 'Online' && phase.wire.online()) {
      if (phase.link.buffered > o.highWaterMark) {
        if (draining) return
        draining = true
        const link = phase.link
        link.onDrain(() => {
          draining = false
          if (phase._tag === 'Online' && phase.link === link) pump()
        })
        return
      }
      const s = outbox[0] as Stanza.Stanza
      if (step === undefined) phase.wire.send(s)
      else if (feed({ _tag: 'StanzaOut', stanza: s }).some((e) => e._tag === 'Backpressure')) return
      outbox.shift()
    }
  }

  const send = (s: Stanza.Stanza): void => {
    if (phase._tag === 'Closed' || closing) return
    if (outbox.length === 0 && phase._tag === 'Online' && phase.link.buffered <= o.highWaterMark) {
      outbox.push(s)
      pump()
      return
    }
    if (outbox.length >= o.queueLimit) {
      dropped.next(s)
      return
    }
    outbox.push(s)
  }

  // --- keepalive --------------------------------------------------------------------

  const armKeepalive = (link: Link, probedAt: number | undefined): void => {
    const k = o.keepalive
    if (k === undefined) return
    const last = link.lastRead
    const probed = probedAt !== undefined && probedAt >= last ? probedAt : undefined
    // Probed: look again at the deadline, or sooner to notice the answer (the link reports no
    // reads), so the next probe comes `interval` after the answer, not after the deadline.
    const at =
      probed === undefined
        ? last + k.interval
        : Math.min(last + k.interval + k.timeout, Date.now() + Math.min(k.interval, k.timeout))
    keepaliveTimer = setTimeout(
      () => {
        keepaliveTimer = undefined
        if (phase._tag !== 'Online' || phase.link !== link) return
        const now = Date.now()
        const silent = now - link.lastRead
        if (silent >= k.interval + k.timeout && probed !== undefined) {
          phase.wire.drop(S.timeout('keepalive'))
          return
        }
        if (silent >= k.interval && probed === undefined) {
          probe(phase.wire)
          armKeepalive(link, now)
          return
        }
        armKeepalive(link, probed)
      },
      Math.max(0, at - Date.now()),
    )
  }

  /** Something the server must answer: `<r/>` with SM on, else a ping to our server. */
  const probe = (wire: Wire): void => {
    if (sm._tag === 'Enabled') {
      wire.write(Sm.request())
      return
    }
    pingId = randomUUID()
    const to = jid === undefined ? undefined : Jid.domain(jid)
    const ping = Iq.get(Ping.encode({}), {
      id: pingId,
      ...(to === undefined ? {} : { to }),
    })
    // While <enable/> awaits its answer every stanza must be counted, the ping too.
    if (sm._tag === 'Disabled') wire.send(ping)
    else feed({ _tag: 'StanzaOut', stanza: ping })
  }

  // --- links ------------------------------------------------------------------------

  const setStatus = (s: ClientStatus): void => status.next(s)

  /** One attempt: a link negotiated up to online (resumed or freshly bound). */
  const connectOnce = async (): Promise<void> => {
    const r: Resolved = { ...o.r, deadline: Date.now() + o.r.timeout }
    const services = redirect === undefined ? await candidates(r) : [redirect]
    redirect = undefined
    if (closing) throw S.ended
    const link = await openLink(r, services)
    phase = { _tag: 'Connecting', link }
    if (closing) {
      link.destroy()
      throw S.ended
    }
    let resumed = false
    const later: Sm.Effect<Stanza.Stanza>[] = []
    try {
      const features = await login(link, r)
      const offersSm = child(features, 'sm', Sm.NS_SM) !== undefined
      if (step !== undefined && Sm.canResume(sm)) {
        if (offersSm && !distrust) {
          const res = step(sm, { _tag: 'Resume' }, Date.now())
          sm = res.state
          for (const e of res.effects) if (e._tag === 'Send') link.write(Xml.serialize(e.element))
          const answer = Sm.fromElement(await expectElement(link, 'resume', r.deadline))
          const next = step(
            sm,
            answer ?? { _tag: 'Failed', condition: undefined, h: undefined },
            Date.now(),
          )
          sm = next.state
          later.push(...next.effects)
          resumed = sm._tag === 'Enabled'
        } else {
          const next = step(sm, { _tag: 'Abandon' }, Date.now())
          sm = next.state
          later.push(...next.effects)
        }
      }
      if (!resumed) jid = await bindResource(link, r, features)
      goOnline(link, features, resumed, offersSm, later)
    } catch (e) {
      link.end()
      // Lost while resuming: the session is still there to resume on the next link.
      if (step !== undefined && sm._tag === 'Resuming')
        sm = step(sm, { _tag: 'LinkLost' }, Date.now()).state
      // Effects of a failed resumption (fallback, failing pending IQs) still apply; with no
      // wire, writes are skipped (a resend waits for the next resumption).
      perform(later.filter((x) => x._tag !== 'Resend'))
      throw e
    }
  }

  const goOnline = (
    link: Link,
    features: Xml.XmlElement,
    resumed: boolean,
    offersSm: boolean,
    later: ReadonlyArray<Sm.Effect<Stanza.Stanza>>,
  ): void => {
    const wire = live({
      link,
      jid: () => jid,
      ns: NS.CLIENT,
      closeTimeout: o.closeTimeout,
      component: false,
      deliver,
      reply: (s) => {
        if (step === undefined) wire.send(s)
        else feed({ _tag: 'StanzaOut', stanza: s })
      },
      nonza: (el) => {
        if (el.ns !== Sm.NS_SM || step === undefined) return false
        const ev = Sm.fromElement(el)
        if (ev === undefined) return false
        if (ev._tag === 'Ack') linkAcked = true
        feed(ev)
        return true
      },
      streamError: follow,
      ended: (reason) => lost(link, reason),
    })
    const csi = child(features, 'csi', NS_CSI) !== undefined
    phase = { _tag: 'Online', link, wire, csi }
    linkResumed = resumed
    linkAcked = false
    distrust = false
    onlineSince = Date.now()
    // What the resumption decided: the resend (on this link), or the fallback into the outbox.
    perform(later)
    if (!resumed && step !== undefined && offersSm) feed({ _tag: 'Enable' })
    // A resumed session keeps what the server was told; setActive may have changed since.
    if (!resumed) told = true
    if (csi && active !== told) {
      wire.write(Xml.element(active ? 'active' : 'inactive', NS_CSI))
      told = active
    }
    setStatus(
      resumed ? { _tag: 'Resumed', jid: jid as Jid.Jid } : { _tag: 'Online', jid: jid as Jid.Jid },
    )
    armKeepalive(link, undefined)
    armSmTimer()
    pump()
  }

  /**
   * Remembers where a `see-other-host` sends us. With tls 'none' only loopback is allowed (as
   * for `service` and SRV): elsewhere, the password would go in the clear to a host the server
   * names.
   */
  const follow = (el: Xml.XmlElement): void => {
    const to = Backoff.seeOtherHost(el)
    redirect = to !== undefined && (o.r.tls !== 'none' || isLoopback(to.host)) ? to : undefined
  }

  const deliver = (s: Stanza.Stanza): void => {
    feed({ _tag: 'StanzaIn' })
    // The keepalive ping's answer is ours, not the app's.
    if (pingId !== undefined && s.kind === 'iq' && s.id === pingId && Iq.isResponse(s)) {
      pingId = undefined
      return
    }
    incoming.next(s)
  }

  /** A link is gone: keep the session for a resumption, or fail what cannot survive it. */
  const lost = (link: Link, reason: S.CloseReason): void => {
    if (phase._tag !== 'Online' || phase.link !== link) return
    stopTimers()
    draining = false
    phase = { _tag: 'Connecting', link: undefined }
    if (closing || reason._tag === 'Ended') {
      finish(S.ended)
      return
    }
    if (linkResumed && !linkAcked && reason._tag === 'Timeout') distrust = true
    if (step === undefined || sm._tag === 'Disabled') failPendingOn(client)
    else feed({ _tag: 'LinkLost' })
    retry(reason)
  }

  /** Decides what follows a failure: another attempt after a backoff, or the end. */
  const retry = (reason: S.SessionError): void => {
    if (closing) {
      finish(S.ended)
      return
    }
    // The backoff starts over only after a good session: a server that lets us in and drops us
    // at once must not get a reconnection a second forever.
    if (onlineSince !== 0 && Date.now() - onlineSince >= GOOD_SESSION) attempt = 0
    onlineSince = 0
    attempt += 1
    const b = o.reconnect
    if (b === undefined || !Backoff.retryable(reason) || attempt > b.maxAttempts) {
      finish(reason)
      return
    }
    const wait = redirect === undefined ? Backoff.delay(b, attempt) : 0
    setStatus({ _tag: 'Reconnecting', attempt, delay: wait, reason })
    phase = { _tag: 'Waiting', timer: setTimeout(run, wait) }
  }

  const run = (): void => {
    phase = { _tag: 'Connecting', link: undefined }
    connectOnce().catch((e: unknown) => {
      if (closing) {
        finish(S.ended)
        return
      }
      // A see-other-host while negotiating (e.g. right after the stream header).
      const el = streamErrorElement(e)
      if (el !== undefined) follow(el)
      retry(S.isSessionError(e) ? e : S.socketClosed(e instanceof Error ? e.message : 'failed'))
    })
  }

  const stopTimers = (): void => {
    if (smTimer !== undefined) clearTimeout(smTimer)
    if (keepaliveTimer !== undefined) clearTimeout(keepaliveTimer)
    smTimer = undefined
    keepaliveTimer = undefined
  }

  /** `Closed` is final: the queue is reported and dropped, requests fail, streams complete. */
  const finish = (reason: S.CloseReason): void => {
    if (phase._tag === 'Closed') return
    if (phase._tag === 'Waiting') clearTimeout(phase.timer)
    stopTimers()
    phase = { _tag: 'Closed' }
    const unsent = [...Sm.unackedOf(sm).map((u) => u.stanza), ...unconfirmed, ...outbox]
    outbox.length = 0
    sm = Sm.disabled
    setStatus(unsent.length === 0 ? { _tag: 'Closed', reason } : { _tag: 'Closed', reason, unsent })
    status.complete()
    dropped.complete()
    incoming.complete()
    markClosed()
  }

  const close = (): Promise<void> => {
    if (closed !== undefined) return closed
    if (phase._tag === 'Closed') {
      closed = Promise.resolve()
      return closed
    }
    closing = true
    closed = new Promise<void>((resolve) => {
      markClosed = resolve
    })
    switch (phase._tag) {
      case 'Online': {
        const wire = phase.wire
        feed({ _tag: 'Close' })
        void wire.close()
        break
      }
      case 'Connecting':
        if (phase.link === undefined) finish(S.ended)
        else phase.link.destroy()
        break
      case 'Waiting':
        finish(S.ended)
        break
    }
    return closed
  }

  const setActive = (value: boolean): void => {
    if (value === active) return
    active = value
    // XEP-0352 §3: only when the server offers it; told again on the next link if it differs.
    if (phase._tag === 'Online' && phase.csi && phase.wire.online()) {
      phase.wire.write(Xml.element(value ? 'active' : 'inactive', NS_CSI))
      told = value
    }
  }

  const client: Client = {
    incoming: incoming.asObservable() as Observable<Stanza.Stanza>,
    send,
    get jid() {
      return jid
    },
    status: status.asObservable(),
    smState: () => Sm.toSmState(sm, encodeStanza, jid),
    close,
    setActive,
    dropped: dropped.asObservable(),
    queued: () => outbox.length,
  }
  setStatus({ _tag: 'Connecting' })
  run()
  return client
}
