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
import * as Jid from '../../Jid.js'
import { unserved } from '../../rx/internal/serving.js'
import * as Stanza from '../../Stanza.js'
import * as StanzaError from '../../StanzaError.js'
import type * as Xml from '../../Xml.js'
import type { FrameEvent } from '../framer.js'
import * as S from '../Session.js'
import type { Link } from './link.js'
import { abort, fromStreamError, isStreamError } from './stream.js'

const stanzaNames: ReadonlySet<string> = new Set(['message', 'presence', 'iq'])

/** The status history of one session: replayed to every subscriber, completed once closed. */
export const statusHistory = (): ReplaySubject<S.Status> => {
  const s = new ReplaySubject<S.Status>()
  s.next({ _tag: 'Connecting' })
  return s
}

export interface LiveOptions {
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

/** Puts a negotiated link online and returns the session. */
export const goOnline = (o: LiveOptions): S.Session => {
  const { link, ns, status, component } = o
  const incoming = new Subject<Stanza.Stanza>()
  const encodeOptions = { ns }
  let state: State = 'online'
  let closeTimer: ReturnType<typeof setTimeout> | undefined

  const finish = (reason: S.CloseReason): void => {
    if (state === 'closed') return
    state = 'closed'
    if (closeTimer !== undefined) clearTimeout(closeTimer)
    status.next({ _tag: 'Closed', reason })
    status.complete()
    incoming.complete()
  }

  /** We end the stream for a fault of the server's (docs/security.md §1: stream-level faults). */
  const fault = (condition: string, text?: string): void => {
    const wasClosing = state === 'closing'
    const e = abort(link, condition, text)
    finish(wasClosing ? S.ended : e)
  }

  const onElement = (el: Xml.XmlElement): void => {
    if (stanzaNames.has(el.name) && el.ns === ns) {
      const decoded = Stanza.decodeElement(el)
      if (E.isRight(decoded)) {
        const s = decoded.right
        incoming.next(s)
        // RFC 6120 §8.2.3, §8.4: every get/set is answered once. Decided after the subscribers
        // had their synchronous turn: a get/set no `rx.serve` took gets service-unavailable.
        if (state === 'online' && unserved(s, o.jid)) {
          const reply = Iq.unhandled(s, { condition: 'service-unavailable', component })
          if (O.isSome(reply)) link.write(Stanza.encode(reply.value, encodeOptions))
        }
        return
      }
      const err = decoded.left
      if (DecodeError.isStanzaLevel(err)) {
        const reply = errorReplyFor(
          el,
          DecodeError.condition(err) as StanzaError.Condition,
          component,
        )
        if (reply !== undefined && state === 'online')
          link.write(Stanza.encode(reply, encodeOptions))
        return
      }
      fault(DecodeError.condition(err), DecodeError.format(err).split('\n')[0])
      return
    }
    if (isStreamError(el)) {
      const e = fromStreamError(el)
      const wasClosing = state === 'closing'
      link.end(wasClosing ? undefined : '</stream:stream>')
      link.fail(e)
      finish(wasClosing ? S.ended : e)
      return
    }
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

  const send = (s: Stanza.Stanza): void => {
    if (state === 'online') link.write(Stanza.encode(s, encodeOptions))
  }

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
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
  }

  const jid = o.jid
  const session: S.Session = {
    incoming: incoming.asObservable() as Observable<Stanza.Stanza>,
    send,
    jid,
    status: status.asObservable(),
    close,
  }
  status.next({ _tag: 'Online', jid })
  return session
}
