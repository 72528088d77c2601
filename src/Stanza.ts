/**
 * The stanza union (RFC 6120 §8): `Message | Presence | Iq`, discriminated by `kind`, with the
 * string boundary (`decode`/`encode`), the io-ts codec and the rules all kinds share.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as Stanza from 'stanzakit/Stanza'
 * pipe(Stanza.decode(xml), E.map(Stanza.reply()), E.map((s) => Stanza.encode(s)))
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import * as DecodeError from './DecodeError.js'
import * as Iq from './Iq.js'
import { fromDecoder } from './internal/codec.js'
import {
  checkRoot,
  type DecodeOptions,
  decodeWith,
  type EncodeOptions,
  errorReply as errorReplyOf,
  type ReplyOptions,
} from './internal/stanza.js'
import * as Message from './Message.js'
import * as Presence from './Presence.js'
import type * as StanzaError from './StanzaError.js'
import type * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type { Common, DecodeOptions, EncodeOptions, Kind, ReplyOptions } from './internal/stanza.js'

/** @category model */
export type Stanza = Message.Message | Presence.Presence | Iq.Iq

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** @category refinements */
export const isMessage = (s: Stanza): s is Message.Message => s.kind === 'message'

/** @category refinements */
export const isPresence = (s: Stanza): s is Presence.Presence => s.kind === 'presence'

/** @category refinements */
export const isIq = (s: Stanza): s is Iq.Iq => s.kind === 'iq'

/** @category refinements */
export const is = (u: unknown): u is Stanza => Message.is(u) || Presence.is(u) || Iq.is(u)

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * The kind's own reply: `Message.reply`, `Presence.reply` or `Iq.reply`.
 *
 * @category rules
 */
export const reply =
  (options: ReplyOptions = {}) =>
  <S extends Stanza>(s: S): S =>
    (s.kind === 'message'
      ? Message.reply(options)(s)
      : s.kind === 'presence'
        ? Presence.reply(options)(s)
        : Iq.reply(options)(s)) as S

/**
 * The error reply (RFC 6120 §8.3.1): same kind and id, type `error`, the error set. `None` for
 * an error stanza or an iq result, which are never answered.
 *
 * @category rules
 */
export const errorReply: (
  error: StanzaError.StanzaError,
  options?: ReplyOptions,
) => <S extends Stanza>(s: S) => O.Option<S> = errorReplyOf

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const kinds: ReadonlySet<string> = new Set(['message', 'presence', 'iq'])

/**
 * Decodes a stanza element of any kind (SEMANTICS.md §3.2).
 *
 * @category codecs
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
      const wrong = checkRoot(x, kinds, null)
      return E.left(
        DecodeError.make([
          wrong ?? DecodeError.problem('element', 'unsupported-stanza-type', 'not a stanza'),
        ]),
      )
    }
  }
}

/** The element of any stanza, in content namespace `ns`. @category codecs */
export const toElement = (s: Stanza, ns = 'jabber:client'): Xml.XmlElement =>
  s.kind === 'message'
    ? Message.toElement(s, ns)
    : s.kind === 'presence'
      ? Presence.toElement(s, ns)
      : Iq.toElement(s, ns)

/** io-ts codec `XmlElement ⇄ Stanza`. @category codecs */
export const codec: t.Type<Stanza, Xml.XmlElement, unknown> = fromDecoder(
  'Stanza',
  is,
  decodeElement,
  (s) => toElement(s),
)

/**
 * Parses and decodes one stanza of any kind: `Xml.parse` (XML-level conditions, SECURITY.md),
 * the root's identity, then the kind's rules. Never throws.
 *
 * @category codecs
 */
export const decode: (
  xml: string | Uint8Array,
  options?: DecodeOptions,
) => E.Either<DecodeError.DecodeError, Stanza> = decodeWith(kinds, decodeElement)

/**
 * Writes a stanza with its content namespace as the unprefixed default (RFC 6120 §4.8.5).
 * Total: never throws, always well-formed (SEMANTICS.md §3.3).
 *
 * @category codecs
 */
export const encode = (s: Stanza, options?: EncodeOptions): string =>
  s.kind === 'message'
    ? Message.encode(s, options)
    : s.kind === 'presence'
      ? Presence.encode(s, options)
      : Iq.encode(s, options)
