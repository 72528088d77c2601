/**
 * fast-check generators for well-formed stanza records: records the decoder could produce
 * (docs/semantics.md §0). Absent fields are missing keys, never `undefined`; JIDs are canonical; text
 * holds XML characters only; the payload holds no child the kind models.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import type * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import type * as Stanza from '../../src/Stanza.js'
import type * as StanzaError from '../../src/StanzaError.js'
import type * as Xml from '../../src/Xml.js'
import { stanzaError } from './StanzaError.js'
import { element, text } from './Xml.js'

/** The content namespaces of RFC 6120 §4.8.3 and XEP-0114. */
export const contentNamespaces = [
  'jabber:client',
  'jabber:server',
  'jabber:component:accept',
] as const

/** A content namespace. */
export const contentNs: fc.Arbitrary<string> = fc.constantFrom(...contentNamespaces)

// -------------------------------------------------------------------------------------
// JIDs
// -------------------------------------------------------------------------------------

const toJid = (s: string): Jid.Jid | undefined => {
  const r = Jid.parse(s)
  return E.isRight(r) && r.right === s ? r.right : undefined
}

const localPart: fc.Arbitrary<string> = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,7}$/)
// A letter first, so no domain is digits-and-dots (docs/semantics.md §1).
const label: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/)
const domainPart: fc.Arbitrary<string> = fc
  .array(label, { minLength: 1, maxLength: 3 })
  .map((ls) => ls.join('.'))
const resourcePart: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,9}$/),
  fc.constantFrom('balcony', 'Orchard', 'x y@z/w', '4db06f06b0b5e4b5'),
)

/** Valid canonical JIDs: domain, bare or full, from lowercase ASCII parts. */
export const jid: fc.Arbitrary<Jid.Jid> = fc
  .tuple(
    fc.option(localPart, { nil: undefined }),
    domainPart,
    fc.option(resourcePart, { nil: undefined }),
  )
  .map(([l, d, r]) =>
    toJid(`${l === undefined ? '' : `${l}@`}${d}${r === undefined ? '' : `/${r}`}`),
  )
  .filter((j): j is Jid.Jid => j !== undefined)

/** A full JID (with a resource). */
export const fullJid: fc.Arbitrary<Jid.Jid> = fc
  .tuple(localPart, domainPart, resourcePart)
  .map(([l, d, r]) => toJid(`${l}@${d}/${r}`))
  .filter((j): j is Jid.Jid => j !== undefined)

// -------------------------------------------------------------------------------------
// fields
// -------------------------------------------------------------------------------------

/** Simple well-formed BCP 47 tags (RFC 5646), kept verbatim by the decoder. */
export const lang: fc.Arbitrary<string> = fc.constantFrom(
  'en',
  'de',
  'de-CH',
  'fr-CA',
  'zh-Hant-TW',
  'sr-Latn',
  'EN-gb',
  'x-klingon',
)

/** Ids of messages and presences: any XML text, `''` included. */
export const id: fc.Arbitrary<string> = text

/** Ids of iqs: never empty (RFC 6120 §8.2.3 rule 2). */
export const iqId: fc.Arbitrary<string> = text.filter((s) => s !== '')

const modelledNames: ReadonlySet<string> = new Set([
  'body',
  'subject',
  'thread',
  'show',
  'status',
  'priority',
  'error',
])

/** A payload element: any element but one the kinds model in a content namespace. */
export const payloadElement: fc.Arbitrary<Xml.XmlElement> = element.filter(
  (el) =>
    !(modelledNames.has(el.name) && (contentNamespaces as ReadonlyArray<string>).includes(el.ns)),
)

/** A payload of up to `max` elements. */
export const payload = (max = 3): fc.Arbitrary<ReadonlyArray<Xml.XmlElement>> =>
  fc.array(payloadElement, { maxLength: max })

/** A priority in −128..127, built with `Presence.priority`. */
export const priority: fc.Arbitrary<Presence.Priority> = fc
  .integer({ min: -128, max: 127 })
  .map((n) => {
    const p = Presence.priority(n)
    if (E.isLeft(p)) throw new Error(`arbitraries: ${n} is not a priority`)
    return p.right
  })

const common = {
  to: jid,
  from: jid,
  lang,
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Adds the `error` iff the type is `error`, keeping absent keys missing. */
const withError = <S extends { readonly type?: string; readonly error?: StanzaError.StanzaError }>(
  s: S,
  error: StanzaError.StanzaError,
): S => {
  if (s.type !== 'error') return s
  const out: Mutable<S> = { ...s }
  out.error = error
  return out
}

// -------------------------------------------------------------------------------------
// stanzas
// -------------------------------------------------------------------------------------

const messageType: fc.Arbitrary<Message.MessageType> = fc.constantFrom(
  'normal',
  'chat',
  'groupchat',
  'headline',
  'error',
)

/** Well-formed messages: `type: 'error'` iff `error`; `parentThread` only with `thread`. */
export const message: fc.Arbitrary<Message.Message> = fc
  .tuple(
    fc.record(
      {
        ...common,
        id,
        type: messageType,
        body: text,
        subject: text,
        thread: fc.record({ thread: text, parent: fc.option(text, { nil: undefined }) }),
        payload: payload(),
      },
      { requiredKeys: ['payload'], noNullPrototype: true },
    ),
    stanzaError,
  )
  .map(([{ thread, ...r }, error]): Message.Message => {
    const m: Mutable<Message.Message> = { kind: 'message', ...r }
    if (thread !== undefined) {
      m.thread = thread.thread
      if (thread.parent !== undefined) m.parentThread = thread.parent
    }
    return withError(m, error)
  })

const presenceType: fc.Arbitrary<Presence.PresenceType> = fc.constantFrom(...Presence.types)
const show: fc.Arbitrary<Presence.Show> = fc.constantFrom('away', 'chat', 'dnd', 'xa')

/** Well-formed presences: `type: 'error'` iff `error`; priority in −128..127. */
export const presence: fc.Arbitrary<Presence.Presence> = fc
  .tuple(
    fc.record(
      {
        ...common,
        id,
        type: presenceType,
        show,
        status: text,
        priority,
        payload: payload(),
      },
      { requiredKeys: ['payload'], noNullPrototype: true },
    ),
    stanzaError,
  )
  .map(([r, error]): Presence.Presence => withError({ kind: 'presence', ...r }, error))

const iqAddressing = fc.record(
  { ...common, id: iqId },
  { requiredKeys: ['id'], noNullPrototype: true },
)

/** Well-formed get/set requests: exactly one payload element. */
export const iqRequest: fc.Arbitrary<Iq.Request> = fc
  .tuple(iqAddressing, fc.constantFrom<'get' | 'set'>('get', 'set'), payloadElement)
  .map(([r, type, p]): Iq.Request => ({ kind: 'iq', ...r, type, payload: [p] }))

/** Well-formed results (at most one payload element) and errors (`error`, at most one element). */
export const iqResponse: fc.Arbitrary<Iq.Response> = fc
  .tuple(
    iqAddressing,
    fc.constantFrom<'result' | 'error'>('result', 'error'),
    payload(1),
    stanzaError,
  )
  .map(
    ([r, type, p, error]): Iq.Response =>
      type === 'error'
        ? { kind: 'iq', ...r, type, payload: p, error }
        : { kind: 'iq', ...r, type, payload: p },
  )

/** Well-formed iqs of every type. */
export const iq: fc.Arbitrary<Iq.Iq> = fc.oneof(iqRequest, iqResponse)

/** Well-formed stanzas of every kind. */
export const stanza: fc.Arbitrary<Stanza.Stanza> = fc.oneof(message, presence, iq)
