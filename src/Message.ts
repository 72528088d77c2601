/**
 * `<message/>`: the push stanza (RFC 6121 §5), as a readonly record with pure rules.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as Jid from 'stanzakit/Jid'
 * import * as Message from 'stanzakit/Message'
 *
 * const romeo = Jid.unsafeParse('romeo@example.net/orchard')
 * const incoming = Message.make({ type: 'chat', from: romeo, body: 'ping' })
 * const answer = pipe(incoming, Message.reply({ body: 'pong' }))
 * console.log(Message.encode(answer))
 * // <message xmlns='jabber:client' to='romeo@example.net/orchard' type='chat'><body>pong</body></message>
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import type * as DecodeError from './DecodeError.js'
import { fromDecoder } from './internal/codec.js'
import {
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
} from './internal/stanza.js'
import * as Jid from './Jid.js'
import type { Common, DecodeOptions, EncodeOptions, ReplyOptions } from './Stanza.js'
import type * as StanzaError from './StanzaError.js'
import type * as Xml from './Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export type MessageType = 'normal' | 'chat' | 'groupchat' | 'headline' | 'error'

/** The message types of RFC 6121 §5.2.2. @category model @since 0.1.0 */
export const types: ReadonlyArray<MessageType> = [
  'normal',
  'chat',
  'groupchat',
  'headline',
  'error',
]

/**
 * A message. `body` and `subject` are those in the stanza's own language; others stay in
 * `payload` (RFC 6121 §5.2.3). Absent fields are missing keys.
 *
 * @category model
 * @since 0.1.0
 */
export interface Message extends Common {
  readonly kind: 'message'
  readonly type?: MessageType
  readonly body?: string
  readonly subject?: string
  readonly thread?: string
  readonly parentThread?: string
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
export type Fields = Partial<Omit<Message, 'kind'>>

/**
 * Builds a message. No id is generated (RFC 6120 §8.1.3 makes it optional for messages). A
 * `parentThread` without `thread` gets `thread: ''`, since a parent needs a thread (XEP-0201).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (fields: Fields = {}): Message => {
  const m: Message = { ...fields, kind: 'message', payload: fields.payload ?? [] }
  return m.parentThread !== undefined && m.thread === undefined ? { ...m, thread: '' } : m
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/** @category refinements @since 0.1.0 */
export const is = (u: unknown): u is Message =>
  typeof u === 'object' && u !== null && (u as { kind?: unknown }).kind === 'message'

// -------------------------------------------------------------------------------------
// getters
// -------------------------------------------------------------------------------------

/**
 * The type; absent means `normal` (RFC 6121 §5.2.2). Classic returned unknown values raw; the
 * decoder already maps them to absent.
 *
 * @category getters
 * @since 0.1.0
 */
export const getType = (m: Message): MessageType => m.type ?? 'normal'

/**
 * The body in language `lang` (default: the message's own), else the body in the message's
 * language, else the first other one (RFC 6121 §5.2.3). Classic fell back to the last non-empty.
 *
 * @category getters
 * @since 0.1.0
 */
export const getBody = (m: Message, lang?: string): O.Option<string> =>
  inLanguage(m, m.body, 'body', lang)

/** Like {@link getBody}, for `<subject/>` (RFC 6121 §5.2.4). @category getters @since 0.1.0 */
export const getSubject = (m: Message, lang?: string): O.Option<string> =>
  inLanguage(m, m.subject, 'subject', lang)

/** @category getters @since 0.1.0 */
export const getThread = (m: Message): O.Option<string> => O.fromNullable(m.thread)

/** @category getters @since 0.1.0 */
export const getParentThread = (m: Message): O.Option<string> => O.fromNullable(m.parentThread)

/**
 * The room a groupchat message came from: the bare `from` (XEP-0045 §7.4). Read-only: there is
 * no setter, on purpose (the server writes it).
 *
 * @category getters
 * @since 0.1.0
 */
export const getMucRoom = (m: Message): O.Option<Jid.Jid> =>
  m.type === 'groupchat' && m.from !== undefined ? O.some(Jid.bare(m.from)) : O.none

/**
 * The occupant's nickname in a groupchat message: the resource of `from` (XEP-0045 §7.4).
 * Read-only, like {@link getMucRoom}.
 *
 * @category getters
 * @since 0.1.0
 */
export const getMucNick = (m: Message): O.Option<string> =>
  m.type === 'groupchat' && m.from !== undefined ? Jid.resource(m.from) : O.none

// -------------------------------------------------------------------------------------
// setters
// -------------------------------------------------------------------------------------

/** Writes the type, even `normal`. @category setters @since 0.1.0 */
export const setType =
  (type: MessageType) =>
  (m: Message): Message => ({ ...m, type })

/** @category setters @since 0.1.0 */
export const chat: (m: Message) => Message = setType('chat')

/** @category setters @since 0.1.0 */
export const normal: (m: Message) => Message = setType('normal')

/**
 * Sets the body in the message's own language; `''` removes it (classic).
 *
 * @category setters
 * @since 0.1.0
 */
export const setBody =
  (text: string) =>
  (m: Message): Message =>
    assign(m, 'body', text === '' ? undefined : text)

/** @category setters @since 0.1.0 */
export const removeBody = (m: Message): Message => omit(m, ['body'])

/** @category setters @since 0.1.0 */
export const setSubject =
  (text: string) =>
  (m: Message): Message =>
    assign(m, 'subject', text === '' ? undefined : text)

/** @category setters @since 0.1.0 */
export const removeSubject = (m: Message): Message => omit(m, ['subject'])

/**
 * Sets the thread; `''` removes thread and parent (RFC 6121 §5.2.5).
 *
 * @category setters
 * @since 0.1.0
 */
export const setThread =
  (thread: string) =>
  (m: Message): Message =>
    thread === '' ? removeThread(m) : { ...m, thread }

/** Removes the thread and its parent. @category setters @since 0.1.0 */
export const removeThread = (m: Message): Message => omit(m, ['thread', 'parentThread'])

/**
 * Sets the parent thread, creating an empty thread if there is none; `''` removes only the
 * parent (XEP-0201 §3).
 *
 * @category setters
 * @since 0.1.0
 */
export const setParentThread =
  (parent: string) =>
  (m: Message): Message =>
    parent === '' ? removeParentThread(m) : { ...m, parentThread: parent, thread: m.thread ?? '' }

/** @category setters @since 0.1.0 */
export const removeParentThread = (m: Message): Message => omit(m, ['parentThread'])

// -------------------------------------------------------------------------------------
// rules
// -------------------------------------------------------------------------------------

/**
 * A reply (docs/semantics.md §4): addressed back to the sender, or to the room for a groupchat message
 * (XEP-0045 §7.4); type, thread and parent thread kept; id dropped. `clear` (default) removes
 * body, subject, payload and error; a non-empty `body` is then set.
 *
 * @category rules
 * @since 0.1.0
 */
export const reply =
  (options: ReplyOptions & { readonly body?: string } = {}) =>
  (m: Message): Message => {
    let r = omit(replyAddress(m, options.component), ['id'])
    if (m.type === 'groupchat' && m.from !== undefined) r = { ...r, to: Jid.bare(m.from) }
    if (options.clear !== false) r = { ...omit(r, ['body', 'subject', 'error']), payload: [] }
    return options.body === undefined || options.body === '' ? r : { ...r, body: options.body }
  }

/** What an error reply clears, but for `clear: false` (docs/semantics.md §3.1); the thread is kept. */
const errorClears = ['body', 'subject'] as const

/**
 * The error reply (RFC 6120 §8.3.1, docs/semantics.md §3.1): type `error`, **same id** (§8.1.3), the
 * error set, plain reply addressing (no groupchat room rewrite). `clear` (default) removes body,
 * subject and payload and keeps the thread; `clear: false` keeps them. `None` for an error
 * message, which is never answered.
 *
 * @category rules
 * @since 0.2.0
 */
export const errorReply =
  (error: StanzaError.StanzaError, options: ReplyOptions = {}) =>
  (m: Message): O.Option<Message> =>
    errorReplyOf(m, error, options, errorClears)

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const typed: ReadonlySet<string> = new Set(types)

const problemAt = (m: Modelled, message: string): DecodeError.Problem => ({
  path: m.path,
  condition: 'bad-request',
  message,
})

// The message as data: subject, body and thread in the order encode writes them; a thread has no
// language (XEP-0201), so only bodies and subjects are chosen per language.
const derived = kindCodec<Message, MessageType>({
  kind: 'message',
  fields: [
    { name: 'subject', text: (m) => m.subject, perLanguage: true },
    { name: 'body', text: (m) => m.body, perLanguage: true },
    {
      name: 'thread',
      text: (m) => m.thread,
      attr: { name: 'parent', value: (m) => m.parentThread },
    },
  ],
  // Unknown types become absent, no problem (RFC 6121 §5.2.2).
  attributes: (_, { type }) =>
    type !== undefined && typed.has(type) ? (type as MessageType) : undefined,
  isError: (type) => type === 'error',
  children: (w, type) => {
    const bodies: Modelled[] = []
    const subjects: Modelled[] = []
    let thread: string | undefined
    let parent: string | undefined
    for (const m of w.modelled) {
      if (m.el.name === 'body') bodies.push(m)
      else if (m.el.name === 'subject') subjects.push(m)
      else if (thread !== undefined) report(w, m.index, problemAt(m, 'more than one <thread/>'))
      else {
        thread = textOf(w, m) ?? ''
        parent = m.el.attrs.parent
      }
    }
    const subject = perLanguage(w, subjects)
    const body = perLanguage(w, bodies)
    return () => {
      const r: { -readonly [K in keyof Message]: Message[K] } = { kind: 'message', ...w.common }
      if (type !== undefined) r.type = type
      if (body !== undefined) r.body = body
      if (subject !== undefined) r.subject = subject
      if (thread !== undefined) r.thread = thread
      if (parent !== undefined) r.parentThread = parent
      return r
    }
  },
})

/**
 * Decodes a `<message/>` element (docs/semantics.md §4): unknown types become absent (RFC 6121
 * §5.2.2); one body/subject per language; at most one thread.
 *
 * @category codecs
 * @since 0.1.0
 */
export const decodeElement: (x: Xml.XmlElement) => E.Either<DecodeError.DecodeError, Message> =
  derived.decodeElement

/**
 * The `<message/>` element in content namespace `ns` (default `jabber:client`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const toElement: (m: Message, ns?: string) => Xml.XmlElement = derived.toElement

/** io-ts codec `XmlElement ⇄ Message`. @category codecs @since 0.1.0 */
export const codec: t.Type<Message, Xml.XmlElement, unknown> = fromDecoder(
  'Message',
  is,
  decodeElement,
  (m) => toElement(m),
)

/** Parses and decodes one `<message/>`. Never throws. @category codecs @since 0.1.0 */
export const decode: (
  xml: string | Uint8Array,
  options?: DecodeOptions,
) => E.Either<DecodeError.DecodeError, Message> = derived.decode

/** Writes a message; total (docs/semantics.md §3.3). @category codecs @since 0.1.0 */
export const encode: (m: Message, options?: EncodeOptions) => string = derived.encode
