/**
 * `<presence/>`: availability and subscriptions (RFC 6121 §4, §3), as a readonly record.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as Presence from 'stanzakit/Presence'
 * const away = pipe(Presence.make(), Presence.setShow('away'), Presence.setStatus('lunch'))
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import * as DecodeError from './DecodeError.js'
import { quote, trimXmlSpace } from './internal/chars.js'
import { fromDecoder } from './internal/codec.js'
import {
  ATTRIBUTES,
  assign,
  errorReply as errorReplyOf,
  inLanguage,
  kindCodec,
  type Modelled,
  omit,
  perLanguage,
  replyAddress,
  report,
  textOf,
  type Walked,
} from './internal/stanza.js'
import type { Common, DecodeOptions, EncodeOptions, ReplyOptions } from './Stanza.js'
import type * as StanzaError from './StanzaError.js'
import type * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The `type` attribute values of RFC 6121 §4.7.1; there is no `available`.
 *
 * @category model
 * @since 0.1.0
 */
export type PresenceType =
  | 'unavailable'
  | 'error'
  | 'probe'
  | 'subscribe'
  | 'subscribed'
  | 'unsubscribe'
  | 'unsubscribed'

/** @category model @since 0.1.0 */
export const types: ReadonlyArray<PresenceType> = [
  'unavailable',
  'error',
  'probe',
  'subscribe',
  'subscribed',
  'unsubscribe',
  'unsubscribed',
]

/** `<show/>` values (RFC 6121 §4.7.2.1). @category model @since 0.1.0 */
export type Show = 'away' | 'chat' | 'dnd' | 'xa'

/** @category model */
export const Show = { away: 'away', chat: 'chat', dnd: 'dnd', xa: 'xa' } as const

declare const PriorityBrand: unique symbol

/**
 * An integer in −128..127 (RFC 6121 §4.7.2.3); build it with {@link priority}.
 *
 * @category model
 * @since 0.1.0
 */
export type Priority = number & { readonly [PriorityBrand]: 'Priority' }

/** @category model @since 0.1.0 */
export interface PriorityError {
  readonly _tag: 'PriorityError'
  readonly message: string
}

/** @category model @since 0.1.0 */
export interface Presence extends Common {
  readonly kind: 'presence'
  readonly type?: PresenceType
  readonly show?: Show
  readonly status?: string
  readonly priority?: Priority
}

export type { ReplyOptions } from './Stanza.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * What `make` takes: any field but `kind`; `payload` defaults to `[]`.
 *
 * @category constructors
 * @since 0.1.0
 */
export type Fields = Partial<Omit<Presence, 'kind'>>

/** Builds a presence; no id is generated. @category constructors @since 0.1.0 */
export const make = (fields: Fields = {}): Presence => ({
  ...fields,
  kind: 'presence',
  payload: fields.payload ?? [],
})

/**
 * Checks a priority: an integer in −128..127 (RFC 6121 §4.7.2.3). Classic wrote any value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const priority = (n: number): E.Either<PriorityError, Priority> =>
  Number.isInteger(n) && n >= -128 && n <= 127
    ? E.right((n + 0) as Priority) // -0 → 0, as the decoder does
    : E.left({
        _tag: 'PriorityError',
        message: `expected an integer in -128..127, got ${String(n).slice(0, 40)}`,
      })

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** @category refinements @since 0.1.0 */
export const is = (u: unknown): u is Presence =>
  typeof u === 'object' && u !== null && (u as { kind?: unknown }).kind === 'presence'

const presenceTypes: ReadonlySet<string> = new Set(types)
const shows: ReadonlySet<string> = new Set(Object.keys(Show))

/** @category refinements @since 0.1.0 */
export const isPresenceType = (u: unknown): u is PresenceType =>
  typeof u === 'string' && presenceTypes.has(u)

/** @category refinements @since 0.1.0 */
export const isShow = (u: unknown): u is Show => typeof u === 'string' && shows.has(u)

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The type, else the show, else `available` (classic `get_type`).
 *
 * @category getters
 * @since 0.1.0
 */
export const getType = (p: Presence): PresenceType | Show | 'available' =>
  p.type ?? p.show ?? 'available'

/** @category getters @since 0.1.0 */
export const getShow = (p: Presence): O.Option<Show> => O.fromNullable(p.show)

/**
 * The status in language `lang` (default: the presence's own), with the fall-backs of
 * `Message.getBody` (RFC 6121 §4.7.2.2).
 *
 * @category getters
 * @since 0.1.0
 */
export const getStatus = (p: Presence, lang?: string): O.Option<string> =>
  inLanguage(p, p.status, 'status', lang)

/** The priority; absent means 0 (RFC 6121 §4.7.2.3). @category getters @since 0.1.0 */
export const getPriority = (p: Presence): number => p.priority ?? 0

// -------------------------------------------------------------------------------------
// setters
// -------------------------------------------------------------------------------------

/**
 * Sets the type the classic way: a presence type sets `type` and removes `show`; `available`
 * removes both; a show value sets `show` and leaves `type` alone.
 *
 * @category setters
 * @since 0.1.0
 */
export const setType =
  (value: PresenceType | Show | 'available') =>
  (p: Presence): Presence =>
    value === 'available'
      ? delType(p)
      : isShow(value)
        ? { ...p, show: value }
        : { ...omit(p, ['show']), type: value }

/** Removes both `type` and `show`. @category setters @since 0.1.0 */
export const delType = (p: Presence): Presence => omit(p, ['type', 'show'])

/** @category setters @since 0.1.0 */
export const setShow =
  (show: Show) =>
  (p: Presence): Presence => ({ ...p, show })

/** @category setters @since 0.1.0 */
export const removeShow = (p: Presence): Presence => omit(p, ['show'])

/**
 * Sets the status in the presence's own language; `''` removes it.
 *
 * @category setters
 * @since 0.1.0
 */
export const setStatus =
  (text: string) =>
  (p: Presence): Presence =>
    assign(p, 'status', text === '' ? undefined : text)

/** @category setters @since 0.1.0 */
export const removeStatus = (p: Presence): Presence => omit(p, ['status'])

/** @category setters @since 0.1.0 */
export const setPriority =
  (n: Priority) =>
  (p: Presence): Presence => ({ ...p, priority: n })

/** @category setters @since 0.1.0 */
export const removePriority = (p: Presence): Presence => omit(p, ['priority'])

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

const answers: Partial<Record<PresenceType, PresenceType>> = {
  subscribe: 'subscribed',
  unsubscribe: 'unsubscribed',
}

/**
 * A reply: `subscribe` → `subscribed`, `unsubscribe` → `unsubscribed` (RFC 6121 §3.1.4, §3.3),
 * other types kept; id kept. `clear` (default) removes show, status, priority, payload, error.
 *
 * @category rules
 * @since 0.1.0
 */
export const reply =
  (options: ReplyOptions = {}) =>
  (p: Presence): Presence => {
    let r = replyAddress(p, options.component)
    const answer = p.type === undefined ? undefined : answers[p.type]
    if (answer !== undefined) r = { ...r, type: answer }
    return options.clear === false
      ? r
      : { ...omit(r, ['show', 'status', 'priority', 'error']), payload: [] }
  }

/** What an error reply clears (docs/semantics.md §3.1); `show` goes even with `clear: false`. */
const errorClears = ['show', 'status', 'priority'] as const
const errorDrops = ['show'] as const

/**
 * The error reply (RFC 6120 §8.3.1, docs/semantics.md §3.1): type `error`, same id (§8.1.3), the error
 * set, plain reply addressing. `clear` (default) removes show, status, priority and payload;
 * `clear: false` keeps status, priority and payload but still drops show. `None` for an error
 * presence, which is never answered.
 *
 * @category rules
 * @since 0.2.0
 */
export const errorReply =
  (error: StanzaError.StanzaError, options: ReplyOptions = {}) =>
  (p: Presence): O.Option<Presence> =>
    errorReplyOf(p, error, options, errorClears, errorDrops)

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const xsByte = /^[+-]?[0-9]+$/

const decodePriority = (w: Walked, m: Modelled): Priority | undefined => {
  const raw = textOf(w, m)
  if (raw === undefined) return undefined
  const text = trimXmlSpace(raw)
  const n = xsByte.test(text) ? Number(text) : Number.NaN
  // `+ 0` folds -0 into 0: "-0" is a valid xs:byte, but -0 would not survive encode → decode.
  if (n >= -128 && n <= 127) return (n + 0) as Priority
  report(
    w,
    m.index,
    DecodeError.problem(
      m.path,
      'bad-request',
      `expected an integer in -128..127, got ${quote(raw)}`,
    ),
  )
  return undefined
}

// The presence as data: show, status and priority in the order encode writes them; only the
// status is chosen per language (RFC 6121 §4.7.2.2).
const derived = kindCodec<Presence, PresenceType>({
  kind: 'presence',
  fields: [
    { name: 'show', text: (p) => p.show },
    { name: 'status', text: (p) => p.status, perLanguage: true },
    { name: 'priority', text: (p) => (p.priority === undefined ? undefined : String(p.priority)) },
  ],
  // Known types only (RFC 6121 §4.7.1).
  attributes: (w, { type }) => {
    if (type === undefined) return undefined
    if (isPresenceType(type)) return type
    report(
      w,
      ATTRIBUTES,
      DecodeError.problem(
        'presence@type',
        'bad-request',
        `expected one of ${types.join(', ')}, got ${quote(type)}`,
      ),
    )
    return undefined
  },
  isError: (type) => type === 'error',
  children: (w, type) => {
    let show: Show | undefined
    let prio: Priority | undefined
    let seenShow = false
    let seenPriority = false
    const statuses: Modelled[] = []
    for (const m of w.modelled) {
      if (m.el.name === 'status') statuses.push(m)
      else if (m.el.name === 'show') {
        if (seenShow) {
          report(w, m.index, DecodeError.problem(m.path, 'bad-request', 'more than one <show/>'))
          continue
        }
        seenShow = true
        const raw = textOf(w, m)
        if (raw === undefined) continue
        const value = trimXmlSpace(raw)
        if (isShow(value)) show = value
        else
          report(
            w,
            m.index,
            DecodeError.problem(
              m.path,
              'bad-request',
              `expected one of away, chat, dnd, xa, got ${quote(raw)}`,
            ),
          )
      } else if (seenPriority)
        report(w, m.index, DecodeError.problem(m.path, 'bad-request', 'more than one <priority/>'))
      else {
        seenPriority = true
        prio = decodePriority(w, m)
      }
    }
    const status = perLanguage(w, statuses)
    return () => {
      const r: { -readonly [K in keyof Presence]: Presence[K] } = { kind: 'presence', ...w.common }
      if (type !== undefined) r.type = type
      if (show !== undefined) r.show = show
      if (status !== undefined) r.status = status
      if (prio !== undefined) r.priority = prio
      return r
    }
  },
})

/**
 * Decodes a `<presence/>` element (docs/semantics.md §5): known type only; one show, one priority
 * (xs:byte); one status per language.
 *
 * @category codecs
 * @since 0.1.0
 */
export const decodeElement: (x: Xml.XmlElement) => E.Either<DecodeError.DecodeError, Presence> =
  derived.decodeElement

/** The `<presence/>` element in content namespace `ns`. @category codecs @since 0.1.0 */
export const toElement: (p: Presence, ns?: string) => Xml.XmlElement = derived.toElement

/** io-ts codec `XmlElement ⇄ Presence`. @category codecs @since 0.1.0 */
export const codec: t.Type<Presence, Xml.XmlElement, unknown> = fromDecoder(
  'Presence',
  is,
  decodeElement,
  (p) => toElement(p),
)

/** Parses and decodes one `<presence/>`. Never throws. @category codecs @since 0.1.0 */
export const decode: (
  xml: string | Uint8Array,
  options?: DecodeOptions,
) => E.Either<DecodeError.DecodeError, Presence> = derived.decode

/** Writes a presence; total. @category codecs @since 0.1.0 */
export const encode: (p: Presence, options?: EncodeOptions) => string = derived.encode
