/**
 * The online phase shared by c2s and component sessions: frame events in, decoded stanzas out
 * on `incoming`; stanzas in, one socket write each; the status history; the close handshake
 * (RFC 6120 §4.4); `service-unavailable` for the get/set no `rx.serve` takes (RFC 6120 §8.4).
 * Internal.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { type Observable, ReplaySubject, Subject } from 'rxjs'
import * as DecodeError from '../../DecodeError.js'
import * as Iq from '../../Iq.js'
import { stanzaNames } from '../../internal/stanza.js'
import * as Jid from '../../Jid.js'
import { unserved } from '../../rx/internal/serving.js'
import * as Stanza from '../../Stanza.js'
import * as StanzaError from '../../StanzaError.js'
import * as Xml from '../../Xml.js'
import type { FrameEvent } from '../framer.js'
import * as S from '../Session.js'
import type { Link } from './link.js'
import { abort, fromStreamError, isStreamError } from './stream.js'

/**
 * How long `close()` waits for the server's `</stream:stream>` (RFC 6120 §4.4): 5 s, or the
 * negotiation timeout when that is shorter. One value for sessions, components and clients.
 */
export const closeWait = (timeout: number): number => Math.min(timeout, 5_000)

/** The status history of one session: replayed to every subscriber, completed once closed. */
export const statusHistory = (): ReplaySubject<S.Status> => {
  const s = new ReplaySubject<S.Status>()
  s.next({ _tag: 'Connecting' })
  return s
}

type State = 'online' | 'closing' | 'closed'

/**
 * The stanza-level error reply for an `iq` get/set that failed to decode (docs/security.md §1
 * stage 7, RFC 6120 §8.3): addressed to its `from` (which must parse) and carrying its `id`.
 */
const errorReplyFor = (
  el: Xml.XmlElement,
  condition: StanzaError.Condition,
  component: boolean,
): Iq.Iq | undefined => {
  const { type, id, from, to } = el.attrs
  if (el.name !== 'iq' || (type !== 'get' && type !== 'set') || id === undefined || id === '')
    return undefined
  const toJid = from === undefined ? undefined : Jid.parse(from)
  if (toJid !== undefined && E.isLeft(toJid)) return undefined
  const fromJid = component && to !== undefined ? Jid.parse(to) : undefined
  if (fromJid !== undefined && E.isLeft(fromJid)) return undefined
  return Iq.make({
    type: 'error',
    id,
    ...(toJid === undefined ? {} : { to: toJid.right }),
    ...(fromJid === undefined ? {} : { from: fromJid.right }),
    error: StanzaError.make(condition),
  })
}

/** What {@link live} needs besides the link: where stanzas go, and who hears the end. */
export interface WireOptions {
  readonly link: Link
  /** Our JID now (the rule for unserved get/set compares senders with it). */
  readonly jid: () => Jid.Jid | undefined
  /** The stream's content namespace. */
  readonly ns: string
  /** How long `close()` waits for the server's `</stream:stream>`. */
  readonly closeTimeout: number
  /** XEP-0114 addressing for our own error replies (swap `to`/`from`). */
  readonly component: boolean
  /** Every decoded stanza, in order. */
  readonly deliver: (s: Stanza.Stanza) => void
  /**
   * Sends the session's own error replies (unserved get/set, undecodable requests). Default: a
   * direct write; a client with stream management sends them through its counters instead.
   */
  readonly reply?: (s: Stanza.Stanza) => void
  /** A top-level element that is not a stanza nor a stream error: `true` when it was taken. */
  readonly nonza?: (el: Xml.XmlElement) => boolean
  /** The server's `<stream:error/>`, before the link ends with it (e.g. `see-other-host`). */
  readonly streamError?: (el: Xml.XmlElement) => void
  /** Once, when the link is gone: `Ended` after our `close()`, else the fault. */
  readonly ended: (reason: S.CloseReason) => void
}

/** One online link: write stanzas and nonzas, close it, end it for a fault. */
export interface Wire {
  /** Encodes and writes a stanza (dropped unless online). */
  readonly send: (s: Stanza.Stanza) => void
  /** Writes a nonza (dropped unless online). */
  readonly write: (el: Xml.XmlElement) => void
  readonly online: () => boolean
  /** The close handshake (RFC 6120 §4.4), bounded; resolves once the socket is gone. */
  readonly close: () => Promise<void>
  /** Ends the stream with our stream error (a fault of the server's), e.g. an SM violation. */
  readonly fault: (condition: string, text?: string, appElement?: Xml.XmlElement) => void
  /** Drops the link now (a dead link: keepalive or ack timeout), ending with `reason`. */
  readonly drop: (reason: S.SessionError) => void
}

/**
 * Puts a negotiated link online: frame events in, decoded stanzas to `deliver`, nonzas to
 * `nonza`, the end to `ended`. The one online phase behind `connect`, `component` and `client`.
 */
export const live = (o: WireOptions): Wire => {
  const { link, ns, component } = o
  const encodeOptions = { ns }
  let state: State = 'online'
  let closeTimer: ReturnType<typeof setTimeout> | undefined
  const reply =
    o.reply ??
    ((s: Stanza.Stanza): void => {
      link.write(Stanza.encode(s, encodeOptions))
    })

  const finish = (reason: S.CloseReason): void => {
    if (state === 'closed') return
    state = 'closed'
    if (closeTimer !== undefined) clearTimeout(closeTimer)
    o.ended(reason)
  }

  /** We end the stream for a fault of the server's (docs/security.md §1: stream-level faults). */
  const fault = (condition: string, text?: string, appElement?: Xml.XmlElement): void => {
    const wasClosing = state === 'closing'
    const e = abort(link, condition, text, appElement)
    finish(wasClosing ? S.ended : e)
  }

  const onElement = (el: Xml.XmlElement): void => {
    if (stanzaNames.has(el.name) && el.ns === ns) {
      const decoded = Stanza.decodeElement(el)
      if (E.isRight(decoded)) {
        const s = decoded.right
        o.deliver(s)
        // RFC 6120 §8.2.3, §8.4: every get/set is answered once. Decided after the subscribers
        // had their synchronous turn: a get/set no `rx.serve` took gets service-unavailable.
        if (state === 'online' && unserved(s, o.jid())) {
          const r = Iq.unhandled(s, { condition: 'service-unavailable', component })
          if (O.isSome(r)) reply(r.value)
        }
        return
      }
      const err = decoded.left
      if (DecodeError.isStanzaLevel(err)) {
        const r = errorReplyFor(el, DecodeError.condition(err) as StanzaError.Condition, component)
        if (r !== undefined && state === 'online') reply(r)
        return
      }
      fault(DecodeError.condition(err), DecodeError.format(err).split('\n')[0])
      return
    }
    if (isStreamError(el)) {
      o.streamError?.(el)
      const e = fromStreamError(el)
      const wasClosing = state === 'closing'
      link.end(wasClosing ? undefined : '</stream:stream>')
      link.fail(e)
      finish(wasClosing ? S.ended : e)
      return
    }
    if (o.nonza?.(el) === true) return
    if (stanzaNames.has(el.name))
      fault('invalid-namespace', `<${el.name}/> in ${JSON.stringify(el.ns)}, expected ${ns}`)
    else fault('unsupported-stanza-type', `<${el.name}/> in ${JSON.stringify(el.ns)}`)
  }

  const onEvent = (e: FrameEvent): void => {
    if (state === 'closed') return
    switch (e._tag) {
      case 'Element':
        onElement(e.element)
        return
      case 'StreamClose': {
        const wasClosing = state === 'closing'
        // RFC 6120 §4.4: answer the server's close with ours (unless we sent it), then end.
        link.end(wasClosing ? undefined : '</stream:stream>')
        if (!wasClosing) {
          const e = S.socketClosed('the server closed the stream')
          link.fail(e)
          finish(e)
        }
        return
      }
      case 'StreamError':
        fault(e.condition, e.message)
        return
      case 'StreamOpen':
        fault('not-well-formed', 'a second stream header')
        return
    }
  }

  link.attach(onEvent, (reason) => finish(state === 'closing' ? S.ended : reason))

  let closing: Promise<void> | undefined
  return {
    send: (s) => {
      if (state === 'online') link.write(Stanza.encode(s, encodeOptions))
    },
    write: (el) => {
      if (state === 'online') link.write(Xml.serialize(el))
    },
    online: () => state === 'online',
    close: () => {
      if (closing !== undefined) return closing
      if (state === 'online') {
        state = 'closing'
        link.write('</stream:stream>')
        // Bounded wait for the server's close tag (RFC 6120 §4.4), then the socket goes.
        closeTimer = setTimeout(() => {
          link.destroy()
        }, o.closeTimeout)
      }
      closing = link.closed.then(() => finish(S.ended))
      return closing
    },
    fault,
    drop: (reason) => {
      if (state === 'closed') return
      link.fail(reason)
      link.destroy()
      finish(reason)
    },
  }
}

export interface SessionOptions {
  readonly link: Link
  readonly jid: Jid.Jid
  /** The stream's content namespace. */
  readonly ns: string
  readonly status: ReplaySubject<S.Status>
  /** How long `close()` waits for the server's `</stream:stream>`. */
  readonly closeTimeout: number
  /** XEP-0114 addressing for our own error replies (swap `to`/`from`). */
  readonly component: boolean
}

/** Puts a negotiated link online and returns the one-connection session. */
export const goOnline = (o: SessionOptions): S.Session => {
  const incoming = new Subject<Stanza.Stanza>()
  const { status, jid } = o
  const wire = live({
    link: o.link,
    jid: () => jid,
    ns: o.ns,
    closeTimeout: o.closeTimeout,
    component: o.component,
    deliver: (s) => incoming.next(s),
    ended: (reason) => {
      status.next({ _tag: 'Closed', reason })
      status.complete()
      incoming.complete()
    },
  })
  const session: S.Session = {
    incoming: incoming.asObservable() as Observable<Stanza.Stanza>,
    send: wire.send,
    jid,
    status: status.asObservable(),
    close: wire.close,
  }
  status.next({ _tag: 'Online', jid })
  return session
}
