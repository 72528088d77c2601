/**
 * The c2s negotiation steps (RFC 6120 §4–§7) that `connect` and `client` run on a fresh link:
 * open the stream, encrypt (STARTTLS), authenticate (SASL), restart, bind. Each step reads with
 * the shared deadline and either returns what the next step needs or throws the tagged failure
 * (after ending the stream as the RFC asks). Internal.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Iq from '../../Iq.js'
import * as NS from '../../internal/ns.js'
import * as Jid from '../../Jid.js'
import * as Stanza from '../../Stanza.js'
import * as Xml from '../../Xml.js'
import type { ConnectOptions, TlsPolicy } from '../connect.js'
import { streamHeader } from '../framer.js'
import * as S from '../Session.js'
import * as Sasl from '../sasl.js'
import { checkTimeout, isLoopback, Link, parseService, type Service } from './link.js'
import * as Srv from './srv.js'
import {
  abort,
  child,
  children,
  conditionOf,
  describedBy,
  expectElement,
  expectOpen,
  fromSaslPayload,
  saslPayload,
  textOf,
} from './stream.js'

export interface Resolved {
  readonly o: ConnectOptions
  readonly tls: TlsPolicy
  readonly deadline: number
}

const header = (r: Resolved): string =>
  streamHeader({
    to: r.o.domain,
    version: '1.0',
    ns: NS.CLIENT,
    ...(r.o.lang === undefined ? {} : { lang: r.o.lang }),
  })

/** Sends our header and reads the server's header and `<stream:features/>` (RFC 6120 §4.3). */
export const openStream = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  link.write(header(r))
  await expectOpen(link, NS.CLIENT, r.deadline)
  const features = await expectElement(link, 'features', r.deadline)
  if (features.name !== 'features' || features.ns !== NS.STREAM)
    throw abort(
      link,
      'unsupported-stanza-type',
      `expected <stream:features/>, got <${features.name}/>`,
    )
  return features
}

/** STARTTLS (RFC 6120 §5.4): returns the features of the encrypted stream. */
const startTls = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  link.write(`<starttls xmlns='${NS.TLS}'/>`)
  const answer = await expectElement(link, 'starttls', r.deadline)
  if (answer.ns !== NS.TLS || answer.name !== 'proceed') {
    link.destroy()
    const e = S.tlsFailure(
      answer.name === 'failure' ? 'the server refused STARTTLS' : `unexpected <${answer.name}/>`,
    )
    link.fail(e)
    throw e
  }
  await link.startTls(r.o.domain, r.o.ca, r.deadline)
  return openStream(link, r)
}

/** The encryption step: per policy, STARTTLS or not; the features to carry on with. */
const secure = async (
  link: Link,
  r: Resolved,
  features: Xml.XmlElement,
): Promise<Xml.XmlElement> => {
  if (link.secure) return features
  const offer = child(features, 'starttls', NS.TLS)
  if (r.tls === 'none') {
    if (offer !== undefined && child(offer, 'required', NS.TLS) !== undefined) {
      link.end('</stream:stream>')
      throw S.tlsFailure("the server requires TLS and tls is 'none'")
    }
    return features
  }
  if (offer !== undefined) return startTls(link, r)
  if (r.tls === 'required') {
    link.end('</stream:stream>')
    throw S.tlsFailure('the server does not offer STARTTLS')
  }
  return features
}

/** Awaits the next SASL element (RFC 6120 §6.4): challenge, success or failure. */
const saslStep = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  const el = await expectElement(link, 'auth', r.deadline)
  if (el.ns !== NS.SASL)
    throw abort(link, 'unsupported-stanza-type', `unexpected <${el.name}/> during SASL`)
  if (el.name === 'failure') {
    link.end('</stream:stream>')
    throw S.authFailure(conditionOf(el, NS.SASL) ?? 'not-authorized', describedBy(el, NS.SASL))
  }
  if (el.name !== 'challenge' && el.name !== 'success')
    throw abort(link, 'unsupported-stanza-type', `unexpected <${el.name}/> during SASL`)
  return el
}

const payloadOf = (link: Link, el: Xml.XmlElement): string => {
  const p = fromSaslPayload(el)
  if (p === undefined) {
    link.write(`<abort xmlns='${NS.SASL}'/>`)
    link.end('</stream:stream>')
    throw S.authFailure('incorrect-encoding', `the server's <${el.name}/> is not base64`)
  }
  return p
}

/** Gives up on SASL for a fault of ours to report (bad server data, bad signature). */
const saslAbort = (link: Link, e: Sasl.SaslError): S.AuthFailure => {
  link.write(`<abort xmlns='${NS.SASL}'/>`)
  link.end('</stream:stream>')
  return S.authFailure(e.condition, e.message)
}

/** SASL (RFC 6120 §6): authenticates or throws `AuthFailure`. */
const authenticate = async (link: Link, r: Resolved, features: Xml.XmlElement): Promise<void> => {
  const mechanisms = child(features, 'mechanisms', NS.SASL)
  const offered =
    mechanisms === undefined
      ? []
      : children(mechanisms, 'mechanism', NS.SASL).map((m) => textOf(m).trim())
  const allowPlain = link.secure || r.o.allowPlainWithoutTls === true
  const allowed = r.o.mechanisms
  const mechanism = Sasl.choose(
    allowed === undefined ? offered : offered.filter((m) => allowed.includes(m as Sasl.Mechanism)),
    { allowPlain },
  )
  if (mechanism === undefined) {
    link.end('</stream:stream>')
    throw S.authFailure(
      'invalid-mechanism',
      offered.length === 0
        ? 'the server offers no SASL mechanism'
        : `no acceptable mechanism among ${offered.join(', ')}${offered.includes('PLAIN') && !allowPlain ? ' (PLAIN needs TLS or allowPlainWithoutTls)' : ''}${allowed === undefined ? '' : ` (allowed: ${allowed.join(', ')})`}`,
    )
  }
  const auth = (initial: string | Uint8Array): void =>
    link.write(`<auth xmlns='${NS.SASL}' mechanism='${mechanism}'>${saslPayload(initial)}</auth>`)

  if (mechanism === 'PLAIN') {
    auth(Sasl.plain(r.o.username, r.o.password))
    const el = await saslStep(link, r)
    if (el.name !== 'success') throw saslAbort(link, saslError('unexpected challenge for PLAIN'))
    return
  }

  const client = Sasl.scram(
    mechanism === 'SCRAM-SHA-256' ? 'SHA-256' : 'SHA-1',
    r.o.username,
    r.o.password,
  )
  auth(client.first)
  const challenge = await saslStep(link, r)
  if (challenge.name !== 'challenge')
    throw saslAbort(link, saslError('success before the SCRAM exchange'))
  const final = client.final(payloadOf(link, challenge))
  if (E.isLeft(final)) throw saslAbort(link, final.left)
  link.write(`<response xmlns='${NS.SASL}'>${saslPayload(final.right.message)}</response>`)
  let outcome = await saslStep(link, r)
  let serverFinal: string
  if (outcome.name === 'challenge') {
    // Some servers send server-final-message as a challenge, then an empty success.
    serverFinal = payloadOf(link, outcome)
    const ok = final.right.verify(serverFinal)
    if (E.isLeft(ok)) throw saslAbort(link, ok.left)
    link.write(`<response xmlns='${NS.SASL}'/>`)
    outcome = await saslStep(link, r)
    if (outcome.name !== 'success') throw saslAbort(link, saslError('a third challenge'))
    return
  }
  serverFinal = payloadOf(link, outcome)
  const ok = final.right.verify(serverFinal)
  if (E.isLeft(ok)) {
    // The server says success but could not prove it knows the credentials: do not trust it.
    link.end('</stream:stream>')
    throw S.authFailure(ok.left.condition, ok.left.message)
  }
}

const saslError = (message: string): Sasl.SaslError => ({
  _tag: 'SaslError',
  condition: 'malformed-request',
  message,
})

/** Sends an IQ during negotiation and awaits the response with its id. */
const negotiationIq = async (
  link: Link,
  r: Resolved,
  stage: string,
  payload: Xml.XmlElement,
): Promise<Iq.Iq> => {
  const request = Iq.set(payload)
  link.write(Stanza.encode(request))
  for (;;) {
    const el = await expectElement(link, stage, r.deadline)
    if (el.name !== 'iq' || el.ns !== NS.CLIENT) continue // nothing else is routed to us yet
    if (el.attrs.id !== request.id) continue
    const decoded = Stanza.decodeElement(el)
    if (E.isLeft(decoded) || decoded.right.kind !== 'iq')
      throw abort(link, 'bad-format', `the ${stage} response does not decode`)
    return decoded.right
  }
}

/** Resource binding (RFC 6120 §7): our full JID. */
const bind = async (link: Link, r: Resolved, features: Xml.XmlElement): Promise<Jid.Jid> => {
  if (child(features, 'bind', NS.BIND) === undefined) {
    link.end('</stream:stream>')
    throw S.bindFailure('not-allowed', 'the server offers no resource binding')
  }
  const resource = r.o.resource
  const response = await negotiationIq(
    link,
    r,
    'bind',
    Xml.element(
      'bind',
      NS.BIND,
      {},
      resource === undefined ? [] : [Xml.element('resource', NS.BIND, {}, [resource])],
    ),
  )
  if (response.type !== 'result') {
    link.end('</stream:stream>')
    throw S.bindFailure(response.error?.condition ?? 'undefined-condition', response.error?.text)
  }
  const b = response.payload.find((p) => p.name === 'bind' && p.ns === NS.BIND)
  const j = b === undefined ? undefined : child(b, 'jid', NS.BIND)
  const jid = j === undefined ? undefined : Jid.parse(textOf(j).trim())
  if (jid === undefined || E.isLeft(jid) || Jid.isBare(jid.right)) {
    link.end('</stream:stream>')
    throw S.bindFailure('undefined-condition', 'the server bound no valid full JID')
  }
  // Every anti-spoofing rule trusts the bound JID (rx.request's allowed responders, the
  // roster-push rule): a JID at another domain would let this server speak for that one. Another
  // localpart at our domain can be legitimate (RFC 6120 §7.7.2.2), so only the domain is checked.
  const ours = Jid.parse(r.o.domain)
  const domain = E.isRight(ours) ? Jid.domain(ours.right) : r.o.domain
  if (Jid.domain(jid.right) !== domain) {
    link.end('</stream:stream>')
    throw S.bindFailure('undefined-condition', 'the server bound a JID at another domain')
  }
  return jid.right
}

/** RFC 3921 §3 session establishment, only if the server still requires it (RFC 6121 App. E). */
const legacySession = async (link: Link, r: Resolved, features: Xml.XmlElement): Promise<void> => {
  const s = child(features, 'session', NS.SESSION)
  if (s === undefined || child(s, 'optional', NS.SESSION) !== undefined) return
  const response = await negotiationIq(link, r, 'session', Xml.element('session', NS.SESSION))
  if (response.type !== 'result') {
    link.end('</stream:stream>')
    throw S.bindFailure(
      response.error?.condition ?? 'undefined-condition',
      response.error?.text ?? 'session establishment failed',
    )
  }
}

/**
 * Checks the options (a bad value is a programmer error: `RangeError`, named after `caller`)
 * and starts the deadline of the first attempt.
 */
export const resolveOptions = (
  o: ConnectOptions,
  caller: string,
  defaultTimeout: number,
): Resolved & { readonly timeout: number } => {
  const tls = o.tls ?? 'required'
  if (tls !== 'required' && tls !== 'starttls-if-offered' && tls !== 'none')
    throw new RangeError(`${caller}: unknown tls policy ${JSON.stringify(tls)}`)
  if (typeof o.domain !== 'string' || o.domain === '')
    throw new RangeError(`${caller}: domain is required`)
  if (typeof o.username !== 'string' || o.username === '' || o.username.includes('\0'))
    throw new RangeError(`${caller}: username must be a non-empty string without NUL`)
  if (typeof o.password !== 'string' || o.password === '' || o.password.includes('\0'))
    throw new RangeError(`${caller}: password must be a non-empty string without NUL`)
  const timeout = checkTimeout('timeout', o.timeout, defaultTimeout)
  if (o.service !== undefined) {
    const service = parseService(o.service, { xmpp: 5222, xmpps: 5223 })
    if (tls === 'none' && service.directTls)
      throw new RangeError(`${caller}: tls 'none' contradicts an xmpps:// service`)
    if (tls === 'none' && !isLoopback(service.host))
      throw new RangeError(`${caller}: tls 'none' is only for loopback hosts, not ${service.host}`)
  }
  return { o, tls, timeout, deadline: Date.now() + timeout }
}

/**
 * Everything up to an authenticated stream: header, STARTTLS per policy, SASL, the restart
 * (RFC 6120 §6.4.6) and the new stream's features (where bind and stream management are offered).
 */
export const login = async (link: Link, r: Resolved): Promise<Xml.XmlElement> => {
  let features = await openStream(link, r)
  features = await secure(link, r, features)
  await authenticate(link, r, features)
  link.restart()
  return openStream(link, r)
}

/** Resource binding, then the RFC 3921 session if the server still requires one. */
export const bindResource = async (
  link: Link,
  r: Resolved,
  features: Xml.XmlElement,
): Promise<Jid.Jid> => {
  const jid = await bind(link, r, features)
  await legacySession(link, r, features)
  return jid
}

/**
 * Where to connect: the `service` URL when given, else the SRV candidates of `domain`
 * (XEP-0368 §3, RFC 6120 §3.2), without direct TLS when `tls` is `'none'`. `[]` when DNS says the
 * domain offers no client service.
 */
export const candidates = async (r: Resolved): Promise<ReadonlyArray<Service>> => {
  if (r.o.service !== undefined) return [parseService(r.o.service, { xmpp: 5222, xmpps: 5223 })]
  const found = await Srv.resolve(r.o.domain, {
    ...(r.o.dns === undefined ? {} : { dns: r.o.dns }),
    timeout: Math.max(1, Math.min(5_000, r.deadline - Date.now())),
  })
  return r.tls === 'none' ? found.filter((c) => !c.directTls && isLoopback(c.host)) : found
}

/**
 * Opens the first candidate that accepts a connection, in order (RFC 2782: on to the next when
 * one refuses). Anything but a refusal (a TLS failure, the deadline) ends the attempt.
 */
export const openLink = async (r: Resolved, services: ReadonlyArray<Service>): Promise<Link> => {
  let last: unknown = S.connectionRefused(
    r.o.domain,
    5222,
    'the domain offers no XMPP client service',
  )
  for (const service of services) {
    try {
      return await Link.open({
        service,
        servername: r.o.domain,
        ca: r.o.ca,
        deadline: r.deadline,
        limits: r.o.limits,
        alpn: 'xmpp-client',
        trace: r.o.trace,
      })
    } catch (e) {
      if (!S.isConnectionRefused(e) || Date.now() >= r.deadline) throw e
      last = e
    }
  }
  throw last
}
