/**
 * `component`: an external component session (XEP-0114, Jabber Component Protocol).
 *
 * ```text
 * component({ service, domain, secret })
 *
 *  TCP ──▶ <stream:stream xmlns='jabber:component:accept' to=domain>
 *      ◀── header with id
 *      ──▶ <handshake>hex(SHA-1(id + secret))</handshake>
 *      ◀── <handshake/>                          ── Session (online), jid = domain
 *      ◀── <stream:error><not-authorized/>       ── AuthFailure('not-authorized')
 * ```
 *
 * The session is the same {@link Session} shape as `connect`'s: stanzas are decoded and encoded
 * in the `jabber:component:accept` namespace, and `session.jid` is the component's domain.
 * Answer requests with component addressing (swap `to`/`from`; XEP-0114 §3):
 * `rx.serve(session, handlers, { component: true })` for the error replies it makes, and
 * `Iq.reply({ component: true })` in handlers. Stanzas a component sends must carry a
 * `from` in its domain (the server stamps nothing).
 *
 * XEP-0114 streams are not encrypted: use loopback, or an `xmpps://` service where the server
 * accepts TLS on its component port (then the certificate is checked against `domain`).
 *
 * @example
 * import { connection, rx, Iq } from 'stanzakit'
 * declare const secret: string // the one configured on the server for echo.localhost
 *
 * const echo = await connection.component({ service: 'xmpp://127.0.0.1:5347',
 *   domain: 'echo.localhost', secret })
 * rx.serve(echo, [{ name: 'ping', ns: 'urn:xmpp:ping', handle: Iq.reply({ component: true }) }], { component: true })
 *
 * @since 0.1.0
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import * as NS from '../internal/ns.js'
import * as Jid from '../Jid.js'
import type * as Xml from '../Xml.js'
import { DEFAULT_NEGOTIATION_TIMEOUT } from './connect.js'
import { streamHeader } from './framer.js'
import { checkTimeout, Link, parseService } from './internal/link.js'
import { closeWait, goOnline, statusHistory } from './internal/live.js'
import { abort, expectElement, expectOpen, isStreamError } from './internal/stream.js'
import * as S from './Session.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface ComponentOptions {
  /** `xmpp://host:port` (default port 5347), or `xmpps://host:port` for TLS from the start. */
  readonly service: string
  /** The component's domain, e.g. `echo.localhost`: the stream's `to` and `session.jid`. */
  readonly domain: string
  /** The shared secret configured on the server. */
  readonly secret: string
  /** Extra trust anchors for `xmpps://`. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /** Per-stanza limits for the incoming stream (docs/security.md §3). */
  readonly limits?: Partial<Xml.Limits>
  /** Milliseconds for the handshake, and for `close()`'s wait. Default 30,000. */
  readonly timeout?: number
  /** Every top-level element in and out; the `<handshake>` text is redacted ({@link S.Trace}). */
  readonly trace?: S.Trace
}

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * The handshake value (XEP-0114 §2): lowercase hex SHA-1 of the stream id followed by the
 * secret.
 *
 * @example
 * import { connection } from 'stanzakit'
 * console.log(connection.handshake('3BF96D32', 'secret')) // b09ea9b3b7f586be8a08d0a3dd7466f110aeb136
 *
 * @category rules
 * @since 0.1.0
 */
export const handshake = (streamId: string, secret: string): string =>
  createHash('sha1')
    .update(streamId + secret, 'utf8')
    .digest('hex')

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Connects and authenticates a component; resolves with the online {@link Session} or rejects
 * with a {@link S.SessionError} (`AuthFailure('not-authorized')` for a wrong secret). Invalid
 * options throw a `RangeError` at once.
 *
 * @category constructors
 * @since 0.1.0
 */
export const component = (options: ComponentOptions): Promise<S.Session> => {
  const service = parseService(options.service, { xmpp: 5347, xmpps: 5347 })
  const jid = Jid.parse(options.domain)
  if (E.isLeft(jid) || !Jid.isBare(jid.right) || Jid.domain(jid.right) !== jid.right)
    throw new RangeError(`connection.component: not a domain: ${JSON.stringify(options.domain)}`)
  if (typeof options.secret !== 'string')
    throw new RangeError('connection.component: secret is required')
  const timeout = checkTimeout('timeout', options.timeout, DEFAULT_NEGOTIATION_TIMEOUT)
  return run(options, service, jid.right, timeout)
}

const run = async (
  o: ComponentOptions,
  service: ReturnType<typeof parseService>,
  jid: Jid.Jid,
  timeout: number,
): Promise<S.Session> => {
  const deadline = Date.now() + timeout
  const status = statusHistory()
  const link = await Link.open({
    service,
    servername: o.domain,
    ca: o.ca,
    deadline,
    limits: o.limits,
    alpn: 'xmpp-component',
    trace: o.trace,
  })
  try {
    link.write(streamHeader({ to: o.domain, ns: NS.COMPONENT_ACCEPT }))
    const attrs = await expectOpen(link, NS.COMPONENT_ACCEPT, deadline)
    const id = attrs.id
    if (id === undefined || id === '')
      throw abort(link, 'invalid-id', 'the server sent no stream id')
    link.write(`<handshake>${handshake(id, o.secret)}</handshake>`)
    for (;;) {
      let el: Xml.XmlElement
      try {
        el = await expectElement(link, 'handshake', deadline)
      } catch (e) {
        // XEP-0114 §2: a wrong secret is answered with the stream error <not-authorized/>.
        if (S.isStreamError(e) && e.origin === 'server' && e.condition === 'not-authorized')
          throw S.authFailure('not-authorized', e.text)
        throw e
      }
      if (el.name === 'handshake' && el.ns === NS.COMPONENT_ACCEPT) break
      if (el.name === 'features' && el.ns === NS.STREAM) continue // some servers send empty ones
      if (isStreamError(el)) continue // not reached: expectElement rejects
      throw abort(link, 'unsupported-stanza-type', `expected <handshake/>, got <${el.name}/>`)
    }
    return goOnline({
      link,
      jid,
      ns: NS.COMPONENT_ACCEPT,
      status,
      closeTimeout: closeWait(timeout),
      component: true,
    })
  } catch (e) {
    link.end()
    throw e
  }
}
