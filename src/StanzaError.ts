/**
 * Stanza errors: the `<error/>` child of a stanza of type `error`, as a readonly record.
 *
 * RFC 6120 §8.3 (stanza errors): §8.3.2 syntax, §8.3.3 the 22 defined conditions and their
 * types. Stanza errors are data in the model, never exceptions.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as StanzaError from 'stanzakit/StanzaError'
 * import * as Xml from 'stanzakit/Xml'
 *
 * pipe(
 *   StanzaError.make('item-not-found', { text: 'No such node' }),
 *   (e) => StanzaError.encodeElement(e, 'jabber:client'),
 *   Xml.serialize,
 * )
 * // "<error xmlns='jabber:client' type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
 * //  <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>No such node</text></error>"
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import type * as t from 'io-ts'
import * as DecodeError from './DecodeError.js'
import { quote, trimXmlSpace } from './internal/chars.js'
import { fromDecoder, isXmlElement } from './internal/codec.js'
import * as Jid from './Jid.js'
import * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The namespace of the defined conditions and of `<text/>` (RFC 6120 §8.3.2).
 *
 * @category model
 * @since 0.1.0
 */
export const NS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

/**
 * What the sender should do about the error (RFC 6120 §8.3.2): retry after providing
 * credentials (`auth`), give up (`cancel`), proceed (`continue`, a warning), retry after
 * changing the data (`modify`), or retry after waiting (`wait`).
 *
 * @category model
 * @since 0.1.0
 */
export type ErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait'

/**
 * The defined conditions of RFC 6120 §8.3.3, in its order. RFC 3920's `payment-required` is
 * gone: received, it decodes as `undefined-condition` with the element kept as `app`.
 *
 * @category model
 * @since 0.1.0
 */
export type Condition =
  | 'bad-request'
  | 'conflict'
  | 'feature-not-implemented'
  | 'forbidden'
  | 'gone'
  | 'internal-server-error'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-acceptable'
  | 'not-allowed'
  | 'not-authorized'
  | 'policy-violation'
  | 'recipient-unavailable'
  | 'redirect'
  | 'registration-required'
  | 'remote-server-not-found'
  | 'remote-server-timeout'
  | 'resource-constraint'
  | 'service-unavailable'
  | 'subscription-required'
  | 'undefined-condition'
  | 'unexpected-request'

/**
 * A stanza error (RFC 6120 §8.3.2). Absent fields are missing keys. `redirect` is the XMPP URI
 * carried by `gone` (§8.3.3.5) or `redirect` (§8.3.3.14); `app` is the application-specific
 * condition element, kept as received.
 *
 * @category model
 * @since 0.1.0
 */
export interface StanzaError {
  readonly type: ErrorType
  readonly condition: Condition
  /** Human-readable description; never empty. */
  readonly text?: string
  /** The `xml:lang` of `text`; present only with `text`. */
  readonly lang?: string
  /** The entity that generated the error (RFC 6120 §8.3.2), canonical. */
  readonly by?: Jid.Jid
  /** Only with `gone` or `redirect`; never empty, no surrounding whitespace. */
  readonly redirect?: string
  readonly app?: Xml.XmlElement
}

/**
 * The five error types, in the order of RFC 6120 §8.3.2.
 *
 * @category model
 * @since 0.1.0
 */
export const errorTypes: ReadonlyArray<ErrorType> = Object.freeze([
  'auth',
  'cancel',
  'continue',
  'modify',
  'wait',
])

/**
 * The 22 defined conditions, in the order (and so with the numbering) of RFC 6120 §8.3.3.
 *
 * @category model
 * @since 0.1.0
 */
export const conditions: ReadonlyArray<Condition> = Object.freeze([
  'bad-request',
  'conflict',
  'feature-not-implemented',
  'forbidden',
  'gone',
  'internal-server-error',
  'item-not-found',
  'jid-malformed',
  'not-acceptable',
  'not-allowed',
  'not-authorized',
  'policy-violation',
  'recipient-unavailable',
  'redirect',
  'registration-required',
  'remote-server-not-found',
  'remote-server-timeout',
  'resource-constraint',
  'service-unavailable',
  'subscription-required',
  'undefined-condition',
  'unexpected-request',
])

/**
 * The type each condition usually goes with (RFC 6120 §8.3.3). Where the RFC names two
 * (`feature-not-implemented`, `policy-violation`, `unexpected-request`) the first is the default;
 * `undefined-condition` allows any and defaults to `cancel`.
 *
 * @category model
 * @since 0.1.0
 */
export const defaultType: Readonly<Record<Condition, ErrorType>> = Object.freeze({
  'bad-request': 'modify',
  conflict: 'cancel',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  gone: 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  redirect: 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
})

// Sets rather than `in` on the records: element names from the wire include `__proto__` and
// `toString`, which `in` would find on Object.prototype.
const conditionSet: ReadonlySet<string> = new Set(conditions)
const errorTypeSet: ReadonlySet<string> = new Set(errorTypes)

/** The two conditions whose element carries an XMPP URI (RFC 6120 §8.3.3.5, §8.3.3.14). */
const carriesUri = (c: Condition): boolean => c === 'gone' || c === 'redirect'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The optional parts of a stanza error (RFC 6120 §8.3.2), for {@link make}.
 *
 * @category constructors
 * @since 0.1.0
 */
export interface MakeOptions {
  /** Default: {@link defaultType} of the condition. */
  readonly type?: ErrorType
  /** `''` means none. */
  readonly text?: string
  /** Dropped without `text`, which it describes. */
  readonly lang?: string
  readonly by?: Jid.Jid
  /** Kept only for `gone` and `redirect`; trimmed, `''` means none. */
  readonly redirect?: string
  readonly app?: Xml.XmlElement
}

/**
 * Builds a stanza error, the type defaulting per RFC 6120 §8.3.3. Options that the XML could not
 * carry (`lang` without text, `redirect` on another condition) are dropped, so the result always
 * round-trips through the codec. An unknown condition or type is a programmer error and throws.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (condition: Condition, options: MakeOptions = {}): StanzaError => {
  if (!isCondition(condition))
    throw new TypeError(`StanzaError.make: unknown condition ${quote(String(condition))}`)
  const { type = defaultType[condition], text, lang, by, redirect, app } = options
  if (!isErrorType(type))
    throw new TypeError(`StanzaError.make: unknown error type ${quote(String(type))}`)
  const uri = redirect === undefined || !carriesUri(condition) ? '' : trimXmlSpace(redirect)
  return {
    type,
    condition,
    ...(text !== undefined && text !== '' ? { text, ...(lang !== undefined ? { lang } : {}) } : {}),
    ...(by !== undefined ? { by } : {}),
    ...(uri !== '' ? { redirect: uri } : {}),
    ...(app !== undefined ? { app } : {}),
  }
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * One of the 22 conditions of RFC 6120 §8.3.3 (case-sensitive).
 *
 * @category refinements
 * @since 0.1.0
 */
export const isCondition = (u: unknown): u is Condition =>
  typeof u === 'string' && conditionSet.has(u)

/**
 * One of the five types of RFC 6120 §8.3.2 (case-sensitive).
 *
 * @category refinements
 * @since 0.1.0
 */
export const isErrorType = (u: unknown): u is ErrorType =>
  typeof u === 'string' && errorTypeSet.has(u)

/**
 * Is `u` shaped like a {@link StanzaError}? Optional keys, when present, must hold a value of
 * their type (never `undefined`), and `by` must be a canonical JID (RFC 7622).
 *
 * @category refinements
 * @since 0.1.0
 */
export const is = (u: unknown): u is StanzaError => {
  if (typeof u !== 'object' || u === null) return false
  const r = u as Readonly<Record<string, unknown>>
  return (
    isErrorType(r.type) &&
    isCondition(r.condition) &&
    optional(r, 'text', isString) &&
    optional(r, 'lang', isString) &&
    optional(r, 'by', Jid.is) &&
    optional(r, 'redirect', isString) &&
    optional(r, 'app', isXmlElement)
  )
}

const isString = (u: unknown): u is string => typeof u === 'string'

const optional = (
  r: Readonly<Record<string, unknown>>,
  key: string,
  p: (u: unknown) => boolean,
): boolean => !Object.hasOwn(r, key) || p(r[key])

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const typeList = errorTypes.join(', ')

/**
 * Decodes an `<error/>` element (RFC 6120 §8.3.2), collecting every problem. `path` is the
 * error element's own path (`iq/error`); problems are reported at `${path}@type` (`bad-request`)
 * and `${path}@by` (`jid-malformed`). With `stanzaNs`, the element must be in that namespace;
 * without it the caller is trusted to have picked the right element.
 *
 * The condition is the first child in {@link NS} named one of the 22; none gives
 * `undefined-condition`. `app` is the first child that is neither that condition nor a `<text/>`
 * in {@link NS}, so an unknown condition such as RFC 3920's `payment-required` survives there;
 * further children are dropped. Only the first `<text/>` counts, an empty one as none. The
 * `redirect` URI is trimmed, since the RFC's own examples indent it and a URI cannot hold
 * whitespace (RFC 3986 §2). The legacy `code` attribute and text directly inside `<error/>`
 * are ignored.
 *
 * @category codecs
 * @since 0.1.0
 */
export const decodeElement = (
  el: Xml.XmlElement,
  path: string,
  stanzaNs?: string,
): E.Either<ReadonlyNonEmptyArray<DecodeError.Problem>, StanzaError> => {
  if (el.name !== 'error' || (stanzaNs !== undefined && el.ns !== stanzaNs))
    return E.left([
      DecodeError.problem(
        path,
        'bad-request',
        `expected <error/>${stanzaNs === undefined ? '' : ` in ${quote(stanzaNs, 60)}`}, got ${quote(el.name)} in ${quote(el.ns, 60)}`,
      ),
    ])

  const type = attr(el, 'type')
  const byAttr = attr(el, 'by')
  const by = byAttr === undefined ? undefined : Jid.parse(byAttr)
  const byProblem =
    by === undefined || E.isRight(by)
      ? undefined
      : DecodeError.problem(
          `${path}@by`,
          'jid-malformed',
          `invalid ${by.left.part}: ${by.left.message}`,
        )
  if (!isErrorType(type)) {
    const typeProblem = DecodeError.problem(
      `${path}@type`,
      'bad-request',
      `expected one of ${typeList}, got ${type === undefined ? 'nothing' : quote(type)}`,
    )
    return E.left(byProblem === undefined ? [typeProblem] : [typeProblem, byProblem])
  }
  if (byProblem !== undefined) return E.left([byProblem])

  let condition: Condition | undefined
  let conditionEl: Xml.XmlElement | undefined
  let textEl: Xml.XmlElement | undefined
  let app: Xml.XmlElement | undefined
  for (const child of el.children) {
    // Records reaching the io-ts codec from `unknown` are checked only shallowly.
    if (!isXmlElement(child)) continue
    if (child.ns === NS) {
      if (condition === undefined && isCondition(child.name)) {
        condition = child.name
        conditionEl = child
        continue
      }
      if (child.name === 'text') {
        textEl ??= child
        continue
      }
    }
    app ??= child
  }

  const text = textEl === undefined ? '' : Xml.getText(textEl)
  const lang = textEl === undefined ? undefined : attr(textEl, 'xml:lang')
  const uri =
    conditionEl !== undefined && condition !== undefined && carriesUri(condition)
      ? trimXmlSpace(Xml.getText(conditionEl))
      : ''
  return E.right({
    type,
    condition: condition ?? 'undefined-condition',
    ...(text !== '' ? { text, ...(lang !== undefined ? { lang } : {}) } : {}),
    ...(by === undefined || E.isLeft(by) ? {} : { by: by.right }),
    ...(uri !== '' ? { redirect: uri } : {}),
    ...(app !== undefined ? { app } : {}),
  })
}

/**
 * Encodes the `<error/>` element in the stanza's content namespace `ns` (RFC 6120 §8.3.2):
 * attributes `type` and `by`; children the condition (holding the `redirect` URI for `gone` and
 * `redirect`), `<text/>` (with `xml:lang` when `lang` is set), then `app`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const encodeElement = (e: StanzaError, ns: string): Xml.XmlElement => {
  // Literal elements, not `Xml.element`: the names are ours, and encode must stay total even for
  // a record that bypassed the types (`Xml.serialize` leaves out whatever is not a valid name).
  const attrs: Record<string, string> = { type: e.type }
  if (e.by !== undefined) attrs.by = e.by
  const uri = e.redirect !== undefined && e.redirect !== '' && carriesUri(e.condition)
  const children: Xml.XmlElement[] = [
    { name: e.condition, ns: NS, attrs: {}, children: uri ? [e.redirect] : [] },
  ]
  if (e.text !== undefined && e.text !== '')
    children.push({
      name: 'text',
      ns: NS,
      attrs: e.lang === undefined ? {} : { 'xml:lang': e.lang },
      children: [e.text],
    })
  if (e.app !== undefined) children.push(e.app)
  return { name: 'error', ns, attrs, children }
}

/**
 * An io-ts codec between `<error/>` elements in the content namespace `ns` and records
 * (RFC 6120 §8.3.2); problems are reported from the path `error`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecFor = (ns: string): t.Type<StanzaError, Xml.XmlElement, unknown> =>
  fromDecoder(
    'StanzaError',
    is,
    (el) => E.mapLeft(DecodeError.make)(decodeElement(el, 'error', ns)),
    (e) => encodeElement(e, ns),
  )

/**
 * {@link codecFor} the client namespace `jabber:client` (RFC 6120 §4.8.3).
 *
 * @category codecs
 * @since 0.1.0
 */
export const codec: t.Type<StanzaError, Xml.XmlElement, unknown> = codecFor('jabber:client')

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const attr = (el: Xml.XmlElement, key: string): string | undefined => {
  if (!Object.hasOwn(el.attrs, key)) return undefined
  const value = el.attrs[key]
  return typeof value === 'string' ? value : undefined
}
