/**
 * `<iq/>`: request and response (RFC 6120 §8.2.3), as a readonly record.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as Iq from 'stanzakit/Iq'
 * import * as Xml from 'stanzakit/Xml'
 * const roster = pipe(Iq.get(Xml.element('query', 'jabber:iq:roster')), Iq.getQuery) // some('jabber:iq:roster')
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import * as DecodeError from './DecodeError.js'
import { quote } from './internal/chars.js'
import { fromDecoder } from './internal/codec.js'
import {
  AFTER_CHILDREN,
  ATTRIBUTES,
  errorReply as errorReplyOf,
  kindCodec,
  randomId,
  report,
  resultReply,
} from './internal/stanza.js'
import { bare as bareOf, domain as domainOf, type Jid } from './Jid.js'
import type { Common, DecodeOptions, EncodeOptions, ReplyOptions } from './Stanza.js'
import * as StanzaError from './StanzaError.js'
import * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export type IqType = 'get' | 'set' | 'result' | 'error'

/** @category model @since 0.1.0 */
export const types: ReadonlyArray<IqType> = ['get', 'set', 'result', 'error']

/**
 * An iq. `id` is required (RFC 6120 §8.2.3 rule 2). `payload` holds the one child of a get/set,
 * at most one of a result, and for an error the request payload if echoed (rule 7).
 *
 * @category model
 * @since 0.1.0
 */
export interface Iq extends Common {
  readonly kind: 'iq'
  readonly type: IqType
  readonly id: string
}

/** A get or set: the requests that must be answered. @category model @since 0.1.0 */
export type Request = Iq & { readonly type: 'get' | 'set' }

/** A result or error: the answers. @category model @since 0.1.0 */
export type Response = Iq & { readonly type: 'result' | 'error' }

export type { ReplyOptions } from './Stanza.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Addressing for the request constructors; a missing id is 128 random bits.
 *
 * @category constructors
 * @since 0.1.0
 */
export interface RequestOptions {
  readonly to?: Jid
  readonly from?: Jid
  readonly id?: string
}

/**
 * What `make` takes: `type` is required; `id` defaults to a random one, `payload` to `[]`.
 *
 * @category constructors
 * @since 0.1.0
 */
export type Fields = Partial<Omit<Iq, 'kind' | 'type'>> & { readonly type: IqType }

/**
 * Builds an iq, generating a 128-bit CSPRNG id when none is given (docs/security.md §6).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (fields: Fields): Iq => ({
  ...fields,
  kind: 'iq',
  id: fields.id ?? randomId(),
  payload: fields.payload ?? [],
})

const request =
  (type: 'get' | 'set') =>
  (payload: Xml.XmlElement, options: RequestOptions = {}): Request =>
    make({ ...options, type, payload: [payload] }) as Request

/** A get request with one payload element. @category constructors @since 0.1.0 */
export const get: (payload: Xml.XmlElement, options?: RequestOptions) => Request = request('get')

/** A set request with one payload element. @category constructors @since 0.1.0 */
export const set: (payload: Xml.XmlElement, options?: RequestOptions) => Request = request('set')

/**
 * The result for a request: {@link reply} with `payload` as its only child, or none. Only a
 * request is answered (RFC 6120 §8.2.3): a result or error does not type-check.
 *
 * @category constructors
 * @since 0.1.0
 */
export const result = (req: Request, payload?: Xml.XmlElement): Response => ({
  ...reply()(req),
  payload: payload === undefined ? [] : [payload],
})

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** @category refinements @since 0.1.0 */
export const is = (u: unknown): u is Iq =>
  typeof u === 'object' && u !== null && (u as { kind?: unknown }).kind === 'iq'

/** get or set (RFC 6120 §8.2.3). @category refinements @since 0.1.0 */
export const isRequest = (iq: Iq): iq is Request => iq.type === 'get' || iq.type === 'set'

/** result or error. @category refinements @since 0.1.0 */
export const isResponse = (iq: Iq): iq is Response => iq.type === 'result' || iq.type === 'error'

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

const firstQuery = (iq: Iq): Xml.XmlElement | undefined =>
  iq.payload.find((p) => p.name === 'query')

/**
 * The namespace of the first payload child named exactly `query`. Classic matched any name
 * ending in "query".
 *
 * @category getters
 * @since 0.1.0
 */
export const getQuery = (iq: Iq): O.Option<string> => O.fromNullable(firstQuery(iq)?.ns)

// -------------------------------------------------------------------------------------
// setters
// -------------------------------------------------------------------------------------

/**
 * Makes the payload one empty `<query xmlns=ns/>`, unless a query in that namespace is already
 * there; `''` changes nothing.
 *
 * @category setters
 * @since 0.1.0
 */
export const setQuery =
  (ns: string) =>
  (iq: Iq): Iq =>
    ns === '' || iq.payload.some((p) => p.name === 'query' && p.ns === ns)
      ? iq
      : { ...iq, payload: [Xml.element('query', ns)] }

/** Removes every `<query/>` (classic removed the first only). @category setters @since 0.1.0 */
export const delQuery = (iq: Iq): Iq => ({
  ...iq,
  payload: iq.payload.filter((p) => p.name !== 'query'),
})

/** Replaces the payload with one element or a list. @category setters @since 0.1.0 */
export const setPayload =
  (payload: Xml.XmlElement | ReadonlyArray<Xml.XmlElement>) =>
  (iq: Iq): Iq => ({ ...iq, payload: isElementList(payload) ? payload : [payload] })

const isElementList = (
  p: Xml.XmlElement | ReadonlyArray<Xml.XmlElement>,
): p is ReadonlyArray<Xml.XmlElement> => Array.isArray(p)

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * The result reply to a request: type `result`, same id (RFC 6120 §8.2.3 rule 4), error removed;
 * `clear` (default) removes the payload. Only a request is answered (§8.2.3): a result or error
 * does not type-check (narrow with {@link isRequest} first).
 *
 * @category rules
 * @since 0.1.0
 */
export const reply =
  (options: ReplyOptions = {}) =>
  (request: Request): Response =>
    resultReply(request, options)

// An iq has no content of its own for an error reply to clear: only its payload.
const noFields: ReadonlyArray<keyof Iq> = []

/**
 * The error reply (RFC 6120 §8.3.1, docs/semantics.md §3.1): type `error`, same id, the error set,
 * plain reply addressing; `clear` (default) removes the payload, `clear: false` echoes the
 * request payload (§8.2.3 rule 7). `None` for a result or an error, which are never answered
 * (§8.2.3).
 *
 * @category rules
 * @since 0.2.0
 */
export const errorReply =
  (error: StanzaError.StanzaError, options: ReplyOptions = {}) =>
  (iq: Iq): O.Option<Response> =>
    // An error is not answered either: the core gives `None` for every kind's error.
    iq.type === 'result' ? O.none : errorReplyOf(iq, error, options, noFields)

/**
 * The error reply for a request nobody handles: get/set → `Some` error iq with
 * `feature-not-implemented` (classic) or the given condition (`service-unavailable` is
 * RFC 6120 §8.4's answer for an unknown namespace); result/error → `None` (never answered,
 * §8.2.3).
 *
 * @category rules
 * @since 0.1.0
 */
export const unhandled = (
  iq: Iq,
  options: ReplyOptions & { readonly condition?: StanzaError.Condition } = {},
): O.Option<Response> =>
  isRequest(iq)
    ? errorReply(StanzaError.make(options.condition ?? 'feature-not-implemented'), options)(iq)
    : O.none

/**
 * Who may answer a request: the `from` values a valid response may carry (RFC 6120 §8.1.2.1,
 * §10.5.3.2; docs/security.md §6). `absent`: a response without `from`; `jid` and `domain`: JIDs
 * compared by string equality, so they must be canonical, as the decoder makes every `from`
 * (`undefined`: no such JID). Checked by {@link isAllowedResponder} in O(1).
 *
 * @category rules
 * @since 0.2.0
 */
export interface Responders {
  readonly absent: boolean
  readonly jid: Jid | undefined
  readonly domain: Jid | undefined
}

/** @category rules @since 0.2.0 */
export interface ResponderOptions {
  /**
   * Also accept `domain(me)` as the sender of a response to a request without `to`, for
   * servers that stamp their own domain (docs/security.md §6). Default `false`.
   */
  readonly acceptOwnDomain?: boolean
}

/**
 * The allowed responders of `request` when our own JID is `me` (`undefined` before resource
 * binding: then the "own" entries match nothing). The table of docs/security.md §6:
 *
 * | request `to` | allowed `from` |
 * | --- | --- |
 * | absent | absent or `bare(me)`; with `acceptOwnDomain`, also `domain(me)` |
 * | `bare(me)` | `bare(me)` or absent |
 * | any other X | exactly X (full JIDs exact; resource case-sensitive) |
 *
 * No `from` means our own server or account (RFC 6120 §8.1.2.1), and the server answers for a
 * bare JID (§10.5.3.2); everyone else must answer from the address we asked. Our other resources
 * never answer for the account. Checking the sender at all is what CVE-2013-6483 (a reply
 * accepted from anyone) was about.
 *
 * @example
 * import * as Iq from 'stanzakit/Iq'
 * import * as Jid from 'stanzakit/Jid'
 * import * as Xml from 'stanzakit/Xml'
 *
 * const me = Jid.unsafeParse('juliet@example.com/balcony')
 * const ping = Iq.get(Xml.element('ping', 'urn:xmpp:ping'))
 * Iq.allowedResponders(ping, me) // { absent: true, jid: 'juliet@example.com', domain: undefined }
 *
 * @category rules
 * @since 0.2.0
 */
export const allowedResponders = (
  request: Iq,
  me: Jid | undefined,
  options: ResponderOptions = {},
): Responders => {
  const own = me === undefined ? undefined : bareOf(me)
  const to = request.to
  if (to !== undefined) return { absent: to === own, jid: to, domain: undefined }
  const domain = own !== undefined && options.acceptOwnDomain === true ? domainOf(own) : undefined
  return { absent: true, jid: own, domain }
}

/**
 * Whether `from` is one of `responders`; `undefined` is a response without `from`. O(1): string
 * equality with canonical JIDs, so an unparsable or non-canonical `from` never matches.
 *
 * @category rules
 * @since 0.2.0
 */
export const isAllowedResponder = (responders: Responders, from: Jid | undefined): boolean =>
  from === undefined ? responders.absent : from === responders.jid || from === responders.domain

/**
 * Whether `response` validly answers `request` (RFC 6120 §8.2.3; docs/security.md §6): an iq of
 * type `result` or `error`, with the request's id, from one of its {@link allowedResponders}.
 * Anything else carrying the id (another kind, CVE-2024-46957; a get/set; another sender,
 * CVE-2013-6483; an unparsable or non-canonical `from`) is not a response and must neither
 * resolve nor fail the request. The allowed set is computed once, when the first arguments are
 * applied; the predicate is O(1).
 *
 * @example
 * import * as Iq from 'stanzakit/Iq'
 * import * as Jid from 'stanzakit/Jid'
 * import * as Xml from 'stanzakit/Xml'
 *
 * const me = Jid.unsafeParse('juliet@example.com/balcony')
 * const peer = Jid.unsafeParse('romeo@example.net/orchard')
 * const ping = Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to: peer })
 * const answers = Iq.isResponseTo(ping, me)
 * answers(Iq.result(ping)) // false: no `from`, and we asked romeo
 * answers({ ...Iq.result(ping), from: peer }) // true
 *
 * @category rules
 * @since 0.2.0
 */
export const isResponseTo = (
  request: Iq,
  me: Jid | undefined,
  options?: ResponderOptions,
): ((response: Iq) => response is Response) => {
  const id = request.id
  const responders = allowedResponders(request, me, options)
  return (response: Iq): response is Response =>
    response.kind === 'iq' &&
    isResponse(response) &&
    response.id === id &&
    isAllowedResponder(responders, response.from)
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const iqTypes: ReadonlySet<string> = new Set(types)

// The iq as data: no modelled children, only the payload (RFC 6120 §8.2.3).
const derived = kindCodec<Iq, IqType>({
  kind: 'iq',
  fields: [],
  attributes: (w, { id, type }) => {
    if (id === undefined || id === '')
      report(
        w,
        ATTRIBUTES,
        DecodeError.problem('iq@id', 'bad-request', id === undefined ? 'missing id' : 'empty id'),
      )
    if (type !== undefined && iqTypes.has(type)) return type as IqType
    report(
      w,
      ATTRIBUTES,
      DecodeError.problem(
        'iq@type',
        'bad-request',
        type === undefined
          ? 'missing type'
          : `expected one of get, set, result, error, got ${quote(type)}`,
      ),
    )
    return undefined
  },
  isError: (type) => type === 'error',
  children: (w, type) => {
    const n = w.common.payload.length
    if ((type === 'get' || type === 'set') && n !== 1)
      report(
        w,
        AFTER_CHILDREN,
        DecodeError.problem('iq', 'bad-request', `a ${type} needs exactly one child, got ${n}`),
      )
    if ((type === 'result' || type === 'error') && n > 1)
      report(
        w,
        AFTER_CHILDREN,
        DecodeError.problem(
          'iq',
          'bad-request',
          `a ${type} has at most one child besides <error/>, got ${n}`,
        ),
      )
    return () => ({ kind: 'iq', ...w.common, id: w.common.id ?? '', type: type ?? 'get' })
  },
})

/**
 * Decodes an `<iq/>` element (RFC 6120 §8.2.3): non-empty id, a known type, exactly one child
 * for get/set, at most one for result, `<error/>` plus at most one for error.
 *
 * @category codecs
 * @since 0.1.0
 */
export const decodeElement: (x: Xml.XmlElement) => E.Either<DecodeError.DecodeError, Iq> =
  derived.decodeElement

/** The `<iq/>` element in content namespace `ns`. @category codecs @since 0.1.0 */
export const toElement: (iq: Iq, ns?: string) => Xml.XmlElement = derived.toElement

/** io-ts codec `XmlElement ⇄ Iq`. @category codecs @since 0.1.0 */
export const codec: t.Type<Iq, Xml.XmlElement, unknown> = fromDecoder(
  'Iq',
  is,
  decodeElement,
  (iq) => toElement(iq),
)

/** Parses and decodes one `<iq/>`. Never throws. @category codecs @since 0.1.0 */
export const decode: (
  xml: string | Uint8Array,
  options?: DecodeOptions,
) => E.Either<DecodeError.DecodeError, Iq> = derived.decode

/** Writes an iq; total. @category codecs @since 0.1.0 */
export const encode: (iq: Iq, options?: EncodeOptions) => string = derived.encode
