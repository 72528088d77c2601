/**
 * Type tests for the stanza kinds and their replies (docs/api.md, Stanza and Iq): replies are typed by
 * what they answer, and what must not compile does not (`@ts-expect-error`): replying to a
 * response, setting a MUC room, a reply to a request typed as a request. Only type-checked
 * (`npm run typecheck`), never run.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import type * as DecodeError from '../../src/DecodeError.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import * as Stanza from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'
import type { Equals } from '../helpers.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const assert = <_T extends true>(): void => {}

const ping = Xml.element('ping', 'urn:xmpp:ping')
const request: Iq.Request = Iq.get(ping)
declare const anyIq: Iq.Iq
const result: Iq.Response = Iq.result(request)
declare const errorIq: Iq.Response & { readonly type: 'error' }
const message: Message.Message = Message.make({ body: 'hi' })
const presence: Presence.Presence = Presence.make()
declare const stanza: Stanza.Stanza
const gone = StanzaError.make('gone')

// -------------------------------------------------------------------------------------
// the reply map
// -------------------------------------------------------------------------------------

assert<Equals<Stanza.ReplyTo<Message.Message>, Message.Message>>()
assert<Equals<Stanza.ReplyTo<Presence.Presence>, Presence.Presence>>()
assert<Equals<Stanza.ReplyTo<Iq.Request>, Iq.Response>>()
assert<Equals<Stanza.ReplyTo<Iq.Response>, Iq.Response>>()
assert<Equals<Stanza.ReplyTo<Iq.Iq>, Iq.Response>>()
assert<Equals<Stanza.ReplyTo<Stanza.Stanza>, Message.Message | Presence.Presence | Iq.Response>>()
assert<Equals<Stanza.ReplyTo<Message.Message | Iq.Request>, Message.Message | Iq.Response>>()

// -------------------------------------------------------------------------------------
// Stanza.reply and Stanza.errorReply: typed per kind
// -------------------------------------------------------------------------------------

const replyToRequest = Stanza.reply()(request)
assert<Equals<typeof replyToRequest, Iq.Response>>()
const replyToMessage = Stanza.reply({ clear: false })(message)
assert<Equals<typeof replyToMessage, Message.Message>>()
const replyToPresence = Stanza.reply({ component: true })(presence)
assert<Equals<typeof replyToPresence, Presence.Presence>>()
const replyToStanza = Stanza.reply()(stanza)
assert<Equals<typeof replyToStanza, Message.Message | Presence.Presence | Iq.Response>>()

// A reply to a request is never typed a request.
// @ts-expect-error the reply to a request is a response
const stillRequest: Iq.Request = Stanza.reply()(request)
// @ts-expect-error a response cannot be answered again with Iq.reply
Iq.reply()(Stanza.reply()(request))

const errorToRequest = Stanza.errorReply(gone)(request)
assert<Equals<typeof errorToRequest, O.Option<Iq.Response>>>()
const errorToMessage = Stanza.errorReply(gone)(message)
assert<Equals<typeof errorToMessage, O.Option<Message.Message>>>()
const errorToPresence = Stanza.errorReply(gone, { clear: false })(presence)
assert<Equals<typeof errorToPresence, O.Option<Presence.Presence>>>()
const errorToStanza = Stanza.errorReply(gone)(stanza)
assert<Equals<typeof errorToStanza, O.Option<Message.Message | Presence.Presence | Iq.Response>>>()

// errorReply's result kinds: same kind, and an iq's is a response.
// @ts-expect-error the error reply to a request is a response, not a request
const errorAsRequest: O.Option<Iq.Request> = Stanza.errorReply(gone)(request)
// @ts-expect-error the error reply to a message is a message
const errorAsPresence: O.Option<Presence.Presence> = Stanza.errorReply(gone)(message)
// @ts-expect-error the error reply to a presence is a presence
const errorAsMessage: O.Option<Message.Message> = Stanza.errorReply(gone)(presence)
// @ts-expect-error the error reply to an iq is an iq
const errorAsStanzaMessage: O.Option<Message.Message> = Stanza.errorReply(gone)(anyIq)

// Each kind's own error reply.
assert<Equals<ReturnType<ReturnType<typeof Message.errorReply>>, O.Option<Message.Message>>>()
assert<Equals<ReturnType<ReturnType<typeof Presence.errorReply>>, O.Option<Presence.Presence>>>()
assert<Equals<ReturnType<ReturnType<typeof Iq.errorReply>>, O.Option<Iq.Response>>>()
assert<Equals<ReturnType<typeof Iq.unhandled>, O.Option<Iq.Response>>>()

// In a pipeline over the union.
declare const decoded: E.Either<DecodeError.DecodeError, Stanza.Stanza>
const replied = pipe(decoded, E.map(Stanza.reply()))
type Replied = typeof replied extends E.Either<DecodeError.DecodeError, infer A> ? A : never
assert<Equals<Replied, Message.Message | Presence.Presence | Iq.Response>>()

// -------------------------------------------------------------------------------------
// Iq.reply and Iq.result: requests in, responses out
// -------------------------------------------------------------------------------------

assert<Equals<Parameters<typeof Iq.reply>, [options?: Stanza.ReplyOptions | undefined]>>()
assert<Equals<Parameters<ReturnType<typeof Iq.reply>>, [request: Iq.Request]>>()
assert<Equals<ReturnType<ReturnType<typeof Iq.reply>>, Iq.Response>>()
assert<
  Equals<Parameters<typeof Iq.result>, [req: Iq.Request, payload?: Xml.XmlElement | undefined]>
>()
assert<Equals<ReturnType<typeof Iq.result>, Iq.Response>>()

// @ts-expect-error a result is never answered (RFC 6120 §8.2.3)
Iq.reply()(result)
// @ts-expect-error an error is never answered
Iq.reply({ clear: false })(errorIq)
// @ts-expect-error an iq of unknown type must be narrowed with Iq.isRequest first
Iq.reply()(anyIq)
// @ts-expect-error a result is never answered
Iq.result(result)
// @ts-expect-error an error is never answered
Iq.result(errorIq, ping)
// @ts-expect-error an iq of unknown type must be narrowed with Iq.isRequest first
Iq.result(anyIq)
// @ts-expect-error Iq.reply answers iqs only
Iq.reply()(message)

// Narrowing first is how an iq of unknown type is answered.
if (Iq.isRequest(anyIq)) {
  const answered = Iq.result(anyIq, ping)
  assert<Equals<typeof answered, Iq.Response>>()
}
// @ts-expect-error the result of a request is not a request
const resultAsRequest: Iq.Request = Iq.result(request)

// -------------------------------------------------------------------------------------
// MUC room and nick: read-only (XEP-0045), never set
// -------------------------------------------------------------------------------------

const room = Jid.unsafeParse('room@muc.example')
assert<Equals<typeof Message.getMucRoom, (m: Message.Message) => O.Option<Jid.Jid>>>()
// @ts-expect-error no setter for the MUC room exists
Message.setMucRoom(room)(message)
// @ts-expect-error no setter for the MUC nick exists
Message.setMucNick('juliet')(message)
// @ts-expect-error `mucRoom` is not a field of the record
Message.make({ mucRoom: room })
// @ts-expect-error `mucRoom` is not a field of the record
const withRoom: Message.Message = { kind: 'message', payload: [], mucRoom: room }
// @ts-expect-error `mucRoom` is not a field of the record
message.mucRoom

// -------------------------------------------------------------------------------------
// the stanza core's public types: declared once, in Stanza
// -------------------------------------------------------------------------------------

assert<Equals<Message.ReplyOptions, Stanza.ReplyOptions>>()
assert<Equals<Presence.ReplyOptions, Stanza.ReplyOptions>>()
assert<Equals<Iq.ReplyOptions, Stanza.ReplyOptions>>()
assert<Equals<Stanza.Kind, Stanza.Stanza['kind']>>()
assert<
  Equals<
    Omit<Message.Message, 'kind' | 'type' | 'body' | 'subject' | 'thread' | 'parentThread'>,
    Omit<Stanza.Common, never>
  >
>()

export {
  errorAsMessage,
  errorAsPresence,
  errorAsRequest,
  errorAsStanzaMessage,
  resultAsRequest,
  stillRequest,
  withRoom,
}
