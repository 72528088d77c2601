/**
 * The stanza union (RFC 6120 §8): `Message | Presence | Iq`, discriminated by `kind`, with the
 * string boundary (`decode`/`encode`), the io-ts codec and the rules all kinds share.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as Stanza from 'stanzakit/Stanza'
 *
 * const xml = "<iq xmlns='jabber:client' type='get' id='p1' from='juliet@example.com/balcony'>" +
 *   "<ping xmlns='urn:xmpp:ping'/></iq>"
 * pipe(Stanza.decode(xml), E.map(Stanza.reply()), E.map((s) => Stanza.encode(s)))
 * // right("<iq xmlns='jabber:client' to='juliet@example.com/balcony' type='result' id='p1'/>")
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import * as DecodeError from './DecodeError.js'
import * as Iq from './Iq.js'
import { fromDecoder } from './internal/codec.js'
import { checkRoot, decodeWith, resultReply, stanzaNames } from './internal/stanza.js'
import type * as Jid from './Jid.js'
import * as Message from './Message.js'
import * as Presence from './Presence.js'
import type * as StanzaError from './StanzaError.js'
import type * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The fields every stanza kind has (RFC 6120 §8.1). Absent = missing key.
 *
 * @category model
 * @since 0.1.0
 */
export interface Common {
  readonly to?: Jid.Jid
  readonly from?: Jid.Jid
  readonly id?: string
  readonly lang?: string
  readonly error?: StanzaError.StanzaError
  /** Children not modelled by the kind, in document order, untouched (RFC 6120 §8.4). */
  readonly payload: ReadonlyArray<Xml.XmlElement>
}

/**
 * The three stanza kinds (RFC 6120 §8), the `kind` of each record.
 *
 * @category model
 * @since 0.1.0
 */
export type Kind = 'message' | 'presence' | 'iq'

/** @category model @since 0.1.0 */
export type Stanza = Message.Message | Presence.Presence | Iq.Iq

/**
 * What a reply or an error reply to `S` is, kind by kind: a message answers a message, a
 * presence a presence, and an iq is answered by a response, never a request (RFC 6120 §8.2.3).
 *
 * @example
 * import type * as Iq from 'stanzakit/Iq'
 * import type * as Stanza from 'stanzakit/Stanza'
 * type A = Stanza.ReplyTo<Iq.Request> // Iq.Response
 *
 * @category model
 * @since 0.2.0
 */
export type ReplyTo<S extends Stanza> = {
  readonly message: Message.Message
  readonly presence: Presence.Presence
  readonly iq: Iq.Response
}[S['kind']]

/**
 * Options of every reply rule (docs/semantics.md §3.1).
 *
 * @category model
 * @since 0.1.0
 */
export interface ReplyOptions {
  /** Remove content, keeping only what the reply needs. Default `true`. */
  readonly clear?: boolean
  /** Component addressing: swap `to` and `from` instead of dropping `from` (XEP-0114). */
  readonly component?: boolean
}

/**
 * Options of the string boundary, `decode`.
 *
 * @category model
 * @since 0.1.0
 */
export interface DecodeOptions {
  /** Content namespace of the stream; `null`: none, accept any content namespace declared. */
  readonly ns?: string | null
  readonly limits?: Partial<Xml.Limits>
}

/**
 * Options of `encode`.
 *
 * @category model
 * @since 0.1.0
 */
export interface EncodeOptions {
  /** Content namespace to emit. Default `'jabber:client'`. */
  readonly ns?: string
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** @category refinements @since 0.1.0 */
export const isMessage = (s: Stanza): s is Message.Message => s.kind === 'message'

/** @category refinements @since 0.1.0 */
export const isPresence = (s: Stanza): s is Presence.Presence => s.kind === 'presence'

/** @category refinements @since 0.1.0 */
export const isIq = (s: Stanza): s is Iq.Iq => s.kind === 'iq'

/** @category refinements @since 0.1.0 */
export const is = (u: unknown): u is Stanza => Message.is(u) || Presence.is(u) || Iq.is(u)

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * The kind's own reply: `Message.reply`, `Presence.reply` or, for an iq request, `Iq.reply`. Typed
 * by what it answers ({@link ReplyTo}): the reply to an iq request is a response. An iq response
 * is never answered (RFC 6120 §8.2.3); `reply` is total all the same and gives it the result
 * `Iq.reply` would give a request.
 *
 * @example
 * import * as Iq from 'stanzakit/Iq'
 * import * as Stanza from 'stanzakit/Stanza'
 * import * as Xml from 'stanzakit/Xml'
 * const answer: Iq.Response = Stanza.reply()(Iq.get(Xml.element('ping', 'urn:xmpp:ping')))
 *
 * @category rules
 * @since 0.1.0
 */
export const reply = (options: ReplyOptions = {}) => {
  function replyTo<S extends Stanza>(s: S): ReplyTo<S>
  function replyTo(s: Stanza): Stanza {
    switch (s.kind) {
      case 'message':
        return Message.reply(options)(s)
      case 'presence':
        return Presence.reply(options)(s)
      default:
        return Iq.isRequest(s) ? Iq.reply(options)(s) : resultReply(s, options)
    }
  }
  return replyTo
}

/**
 * The error reply (RFC 6120 §8.3.1), the kind's own: `Message.errorReply`,
 * `Presence.errorReply` or `Iq.errorReply`. Same kind and id, type `error`, the error set;
 * `None` for an error stanza or an iq result, which are never answered. Typed like
 * {@link reply}: the error reply to an iq is a response.
 *
 * @category rules
 * @since 0.1.0
 */
export const errorReply = (error: StanzaError.StanzaError, options: ReplyOptions = {}) => {
  function errorReplyTo<S extends Stanza>(s: S): O.Option<ReplyTo<S>>
  function errorReplyTo(s: Stanza): O.Option<Stanza> {
    switch (s.kind) {
      case 'message':
        return Message.errorReply(error, options)(s)
      case 'presence':
        return Presence.errorReply(error, options)(s)
      default:
        return Iq.errorReply(error, options)(s)
    }
  }
  return errorReplyTo
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Decodes a stanza element of any kind (docs/semantics.md §3.2).
 *
 * @category codecs
 * @since 0.1.0
 */
export const decodeElement = (x: Xml.XmlElement): E.Either<DecodeError.DecodeError, Stanza> => {
  switch (x.name) {
    case 'message':
      return Message.decodeElement(x)
    case 'presence':
      return Presence.decodeElement(x)
    case 'iq':
      return Iq.decodeElement(x)
    default: {
      const wrong = checkRoot(x, stanzaNames, null)
      return E.left(
        DecodeError.make([
          wrong ?? DecodeError.problem('element', 'unsupported-stanza-type', 'not a stanza'),
        ]),
      )
    }
  }
}

/** The element of any stanza, in content namespace `ns`. @category codecs @since 0.1.0 */
export const toElement = (s: Stanza, ns = 'jabber:client'): Xml.XmlElement =>
  s.kind === 'message'
    ? Message.toElement(s, ns)
    : s.kind === 'presence'
      ? Presence.toElement(s, ns)
      : Iq.toElement(s, ns)

/** io-ts codec `XmlElement ⇄ Stanza`. @category codecs @since 0.1.0 */
export const codec: t.Type<Stanza, Xml.XmlElement, unknown> = fromDecoder(
  'Stanza',
  is,
  decodeElement,
  (s) => toElement(s),
)

/**
 * Parses and decodes one stanza of any kind: `Xml.parse` (XML-level conditions, docs/security.md),
 * the root's identity, then the kind's rules. Never throws.
 *
 * @category codecs
 * @since 0.1.0
 */
export const decode: (
  xml: string | Uint8Array,
  options?: DecodeOptions,
) => E.Either<DecodeError.DecodeError, Stanza> = decodeWith(stanzaNames, decodeElement)

/**
 * Writes a stanza with its content namespace as the unprefixed default (RFC 6120 §4.8.5).
 * Total: never throws, always well-formed (docs/semantics.md §3.3).
 *
 * @category codecs
 * @since 0.1.0
 */
export const encode = (s: Stanza, options?: EncodeOptions): string =>
  s.kind === 'message'
    ? Message.encode(s, options)
    : s.kind === 'presence'
      ? Presence.encode(s, options)
      : Iq.encode(s, options)
