/**
 * Type tests for the Extension kit and the shipped extensions (docs/extensions.md): the inferred
 * record of every extension, exactly; no `any`; field builders infer without annotations; and
 * what must not compile (`@ts-expect-error`). Only type-checked (`npm run typecheck`), never run.
 */
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import * as X from '../../src/Extension.js'
import * as ext from '../../src/ext/index.js'
import type * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'

import type * as Message from '../../src/Message.js'
import type * as Presence from '../../src/Presence.js'
import * as rx from '../../src/rx/index.js'
import type * as Stanza from '../../src/Stanza.js'
import type { Equals } from '../helpers.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type IsAny<T> = 0 extends 1 & T ? true : false
type Not<B extends boolean> = B extends true ? false : true
const assert = <_T extends true>(): void => {}

type Rest = X.Rest
type DateTime = X.DateTime

// -------------------------------------------------------------------------------------
// the records of the docs/extensions.md table, exactly
// -------------------------------------------------------------------------------------

// Delay (XEP-0203)
assert<
  Equals<
    ext.Delay,
    {
      readonly stamp: DateTime
      readonly from?: Jid.Jid
      readonly reason?: string
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<X.TypeOf<typeof ext.Delay>, ext.Delay>>()
assert<Equals<typeof ext.Delay, X.Extension<'message' | 'presence', ext.Delay>>>()

// ChatState (XEP-0085): the 5-literal union
assert<Equals<ext.ChatState, 'active' | 'composing' | 'paused' | 'inactive' | 'gone'>>()
assert<Equals<typeof ext.ChatState, X.Extension<'message', ext.ChatState>>>()

// Receipts (XEP-0184)
assert<Equals<ext.ReceiptRequest, { readonly $rest?: Rest }>>()
assert<Equals<ext.ReceiptReceived, { readonly id?: string; readonly $rest?: Rest }>>()
assert<Equals<typeof ext.ReceiptRequest, X.Extension<'message', ext.ReceiptRequest>>>()
assert<Equals<typeof ext.ReceiptReceived, X.Extension<'message', ext.ReceiptReceived>>>()

// Ping (XEP-0199)
assert<Equals<ext.Ping, { readonly $rest?: Rest }>>()
assert<Equals<typeof ext.Ping, X.Extension<'iq', ext.Ping>>>()

// Version (XEP-0092)
assert<
  Equals<
    ext.Version,
    {
      readonly name?: string
      readonly version?: string
      readonly os?: string
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.Version, X.Extension<'iq', ext.Version>>>()

// Disco (XEP-0030, XEP-0128)
type IdentityCategory =
  | 'account'
  | 'auth'
  | 'client'
  | 'component'
  | 'conference'
  | 'gateway'
  | 'pubsub'
  | 'server'
  | 'store'
  | (string & {})
assert<
  Equals<
    ext.Identity,
    {
      readonly category: IdentityCategory
      // `open()` with no known values: any string.
      readonly type: string & {}
      readonly name?: string
      readonly lang?: string
      readonly $rest?: Rest
    }
  >
>()
assert<
  Equals<
    ext.DiscoInfo,
    {
      readonly node?: string
      readonly identities: ReadonlyArray<ext.Identity>
      readonly features: ReadonlyArray<string>
      readonly extensions: ReadonlyArray<ext.DataForm>
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.DiscoInfo, X.Extension<'iq', ext.DiscoInfo>>>()
assert<
  Equals<
    ext.DiscoItem,
    { readonly jid: Jid.Jid; readonly node?: string; readonly name?: string; readonly $rest?: Rest }
  >
>()
assert<
  Equals<
    ext.DiscoItems,
    {
      readonly node?: string
      readonly items: ReadonlyArray<ext.DiscoItem>
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.DiscoItems, X.Extension<'iq', ext.DiscoItems>>>()

// DataForm (XEP-0004)
type FieldType =
  | 'boolean'
  | 'fixed'
  | 'hidden'
  | 'jid-multi'
  | 'jid-single'
  | 'list-multi'
  | 'list-single'
  | 'text-multi'
  | 'text-private'
  | 'text-single'
  | (string & {})
assert<
  Equals<
    ext.FormField,
    {
      readonly var?: string
      readonly type?: FieldType
      readonly label?: string
      readonly desc?: string
      readonly required: boolean
      readonly values: ReadonlyArray<string>
      readonly options: ReadonlyArray<{
        readonly label?: string
        readonly value: string
        readonly $rest?: Rest
      }>
      readonly $rest?: Rest
    }
  >
>()
assert<
  Equals<
    ext.DataForm,
    {
      readonly type: 'form' | 'submit' | 'cancel' | 'result'
      readonly title?: string
      readonly instructions: ReadonlyArray<string>
      readonly fields: ReadonlyArray<ext.FormField>
      readonly reported?: ReadonlyArray<ext.FormField>
      readonly items: ReadonlyArray<ReadonlyArray<ext.FormField>>
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.DataForm, X.Extension<'message' | 'iq', ext.DataForm>>>()

// MUC (XEP-0045)
assert<
  Equals<
    ext.MucJoin,
    {
      readonly password?: string
      readonly history?: {
        readonly maxchars?: number
        readonly maxstanzas?: number
        readonly seconds?: number
        readonly since?: DateTime
        readonly $rest?: Rest
      }
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.MucJoin, X.Extension<'presence', ext.MucJoin>>>()
type Affiliation = 'owner' | 'admin' | 'member' | 'outcast' | 'none' | (string & {})
type Role = 'moderator' | 'participant' | 'visitor' | 'none' | (string & {})
assert<
  Equals<
    ext.MucItem,
    {
      readonly affiliation?: Affiliation
      readonly role?: Role
      readonly jid?: Jid.Jid
      readonly nick?: string
      readonly actor?: { readonly jid?: Jid.Jid; readonly nick?: string; readonly $rest?: Rest }
      readonly reason?: string
      readonly $rest?: Rest
    }
  >
>()
type Invitation = {
  readonly from?: Jid.Jid
  readonly to?: Jid.Jid
  readonly reason?: string
  readonly $rest?: Rest
}
assert<
  Equals<
    ext.MucUser,
    {
      readonly items: ReadonlyArray<ext.MucItem>
      readonly statusCodes: ReadonlyArray<number>
      readonly invites: ReadonlyArray<Invitation>
      readonly decline?: Invitation
      readonly destroy?: { readonly jid?: Jid.Jid; readonly reason?: string; readonly $rest?: Rest }
      readonly password?: string
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.MucUser, X.Extension<'message' | 'presence', ext.MucUser>>>()

// StanzaId, OriginId (XEP-0359)
assert<Equals<ext.StanzaId, { readonly id: string; readonly by: Jid.Jid; readonly $rest?: Rest }>>()
assert<Equals<ext.OriginId, { readonly id: string; readonly $rest?: Rest }>>()
assert<Equals<typeof ext.StanzaId, X.Extension<'message', ext.StanzaId>>>()
assert<Equals<typeof ext.OriginId, X.Extension<'message', ext.OriginId>>>()

// Replace (XEP-0308)
assert<Equals<ext.Replace, { readonly id: string; readonly $rest?: Rest }>>()
assert<Equals<typeof ext.Replace, X.Extension<'message', ext.Replace>>>()

// Forwarded (XEP-0297); `$ns` remembers a stanza forwarded in jabber:server
assert<
  Equals<
    ext.Forwarded,
    {
      readonly delay?: ext.Delay
      readonly stanza: Stanza.Stanza
      readonly $ns?: 'jabber:server'
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof ext.Forwarded, X.Extension<'message', ext.Forwarded>>>()

// Oob (XEP-0066)
assert<Equals<ext.Oob, { readonly url: string; readonly desc?: string; readonly $rest?: Rest }>>()
assert<Equals<typeof ext.Oob, X.Extension<'message', ext.Oob>>>()

// Roster (RFC 6121 §2)
assert<
  Equals<
    ext.RosterItem,
    {
      readonly jid: Jid.Jid
      readonly name?: string
      readonly subscription?: 'none' | 'to' | 'from' | 'both' | 'remove' | (string & {})
      readonly ask?: 'subscribe'
      readonly approved?: boolean
      readonly groups: ReadonlyArray<string>
      readonly $rest?: Rest
    }
  >
>()
assert<
  Equals<
    ext.Roster,
    { readonly ver?: string; readonly items: ReadonlyArray<ext.RosterItem>; readonly $rest?: Rest }
  >
>()
assert<Equals<typeof ext.Roster, X.Extension<'iq', ext.Roster>>>()

// -------------------------------------------------------------------------------------
// no any
// -------------------------------------------------------------------------------------

assert<Not<IsAny<ext.Delay['stamp']>>>()
assert<Not<IsAny<NonNullable<ext.Delay['$rest']>>>>()
assert<Not<IsAny<ext.DiscoInfo['identities'][number]['category']>>>()
assert<Not<IsAny<ext.DataForm['fields'][number]['options'][number]['value']>>>()
assert<Not<IsAny<NonNullable<ext.DataForm['reported']>[number]>>>()
assert<Not<IsAny<NonNullable<ext.MucJoin['history']>['since']>>>()
assert<Not<IsAny<NonNullable<ext.MucUser['items'][number]['actor']>['jid']>>>()
assert<Not<IsAny<ext.Roster['items'][number]['groups'][number]>>>()
assert<Not<IsAny<ext.Forwarded['stanza']>>>()
assert<Not<IsAny<X.TypeOf<typeof ext.ChatState>>>>()
assert<Not<IsAny<ReturnType<typeof ext.Delay.get>>>>()
assert<Not<IsAny<typeof ext.Delay.codec._A>>>()

// -------------------------------------------------------------------------------------
// inference of user definitions, without annotations
// -------------------------------------------------------------------------------------

const Custom = X.define({
  name: 'query',
  ns: 'urn:example:custom',
  on: ['iq', 'message'],
  fields: {
    node: X.attr('node'),
    count: X.optional(X.attr('count', X.int)),
    when: X.attr('when', X.dateTime),
    who: X.optional(X.attr('who', X.jid)),
    ok: X.optional(X.attr('ok', X.boolean)),
    mode: X.attr('mode', X.literal('a', 'b')),
    kind: X.optional(X.attr('kind', X.open('x', 'y'))),
    note: X.text(),
    title: X.childText('title'),
    level: X.childText('level', X.int),
    tags: X.childTexts('tag'),
    flagged: X.flag('flagged'),
    entry: X.child(X.element('entry', 'urn:example:custom', { id: X.attr('id') })),
    entries: X.many(X.element('e', 'urn:example:custom', { n: X.attr('n', X.int) })),
    codes: X.values('status', 'code', X.int),
    delay: X.optional(X.embed(ext.Delay.codec)),
    url: X.required(X.childText('url')),
  },
})
type Custom = X.TypeOf<typeof Custom>

// attr('node') inside fields is a string, not any.
assert<Equals<Custom['node'], string>>()
assert<Not<IsAny<Custom['node']>>>()
assert<
  Equals<
    Custom,
    {
      readonly node: string
      readonly count?: number
      readonly when: DateTime
      readonly who?: Jid.Jid
      readonly ok?: boolean
      readonly mode: 'a' | 'b'
      readonly kind?: 'x' | 'y' | (string & {})
      readonly note?: string
      readonly title?: string
      readonly level?: number
      readonly tags: ReadonlyArray<string>
      readonly flagged: boolean
      readonly entry?: { readonly id: string; readonly $rest?: Rest }
      readonly entries: ReadonlyArray<{ readonly n: number; readonly $rest?: Rest }>
      readonly codes: ReadonlyArray<number>
      readonly delay?: ext.Delay
      readonly url: string
      readonly $rest?: Rest
    }
  >
>()
assert<Equals<typeof Custom, X.Extension<'iq' | 'message', Custom>>>()
assert<Equals<(typeof Custom)['kinds'], ReadonlyArray<'iq' | 'message'>>>()

// Field builders: the occurrence each one gives.
assert<Equals<ReturnType<typeof X.attr<number>>, X.Field<number, 'required'>>>()
assert<Equals<typeof X.flag, (name: string) => X.Field<boolean, 'required'>>>()
const nodeField = X.attr('node')
assert<Equals<typeof nodeField, X.Field<string, 'required'>>>()
const optionalText = X.optional(X.text())
assert<Equals<typeof optionalText, X.Field<string, 'optional'>>>()
const requiredChild = X.required(X.childText('c', X.int))
assert<Equals<typeof requiredChild, X.Field<number, 'required'>>>()

// Scalars.
assert<Equals<typeof X.int, X.Value<number>>>()
const ab = X.literal('a', 'b')
assert<Equals<typeof ab, X.Value<'a' | 'b'>>>()
const openAb = X.open('a', 'b')
assert<Equals<typeof openAb, X.Value<'a' | 'b' | (string & {})>>>()

// oneOf: the record is the union of its names.
const Marker = X.oneOf({
  ns: 'urn:xmpp:chat-markers:0',
  names: ['received', 'displayed'],
  on: ['message'],
})
assert<Equals<X.TypeOf<typeof Marker>, 'received' | 'displayed'>>()

// lazy and imap keep the types they are given.
interface Tree {
  readonly label: string
  readonly children: ReadonlyArray<Tree>
  readonly $rest?: Rest
}
const TreeDef: X.ElementDef<Tree> = X.lazy(() =>
  X.element('node', 'urn:example:tree', { label: X.attr('label'), children: X.many(TreeDef) }),
)
assert<Equals<X.TypeOf<typeof TreeDef>, Tree>>()
const Count = pipe(
  X.element('count', 'urn:example:custom', { n: X.attr('n', X.int) }),
  X.imap(
    (r) => r.n,
    (n: number) => ({ n }),
    (u): u is number => typeof u === 'number',
  ),
)
assert<Equals<typeof Count, X.ElementDef<number>>>()

// -------------------------------------------------------------------------------------
// getters and setters keep the stanza type
// -------------------------------------------------------------------------------------

declare const message: Message.Message
declare const presence: Presence.Presence
declare const iq: Iq.Iq
declare const request: Iq.Request
declare const stream: rx.StanzaStream

const typing = pipe(message, ext.ChatState.set('composing'))
assert<Equals<typeof typing, Message.Message>>()
const delayedPresence = pipe(presence, ext.Delay.remove)
assert<Equals<typeof delayedPresence, Presence.Presence>>()
const withVersion = pipe(request, ext.Version.set({ name: 'bot' }))
assert<Equals<typeof withVersion, Iq.Request>>()
const state = ext.ChatState.get(message)
assert<Equals<typeof state, O.Option<ext.ChatState>>>()
const forms = ext.DataForm.getAll(iq)
assert<Equals<typeof forms, ReadonlyArray<ext.DataForm>>>()
const info = rx.query(stream)(ext.DiscoInfo, request)
assert<Equals<typeof info, import('rxjs').Observable<ext.DiscoInfo>>>()
const pairs = rx.withExtension(ext.Delay)
assert<
  Equals<
    typeof pairs,
    import('rxjs').OperatorFunction<
      Stanza.Stanza,
      readonly [Message.Message | Presence.Presence, ext.Delay]
    >
  >
>()
rx.handle(ext.Version, 'get', (_req, v) => {
  assert<Equals<typeof v, ext.Version>>()
  return { name: 'bot' }
})

// Jid.domain returns a Jid (the service), usable wherever a Jid is expected.
assert<Equals<ReturnType<typeof Jid.domain>, Jid.Jid>>()
const service: Jid.Jid = Jid.domain(Jid.unsafeParse('user@example.com/res'))
ext.DiscoItems.set({ items: [{ jid: service }] })(iq)

// -------------------------------------------------------------------------------------
// what must not compile
// -------------------------------------------------------------------------------------

// @ts-expect-error ChatState is message-only (XEP-0085): not on a presence
pipe(presence, ext.ChatState.set('composing'))

// @ts-expect-error not a chat state
ext.ChatState.set('typing')

// @ts-expect-error Delay is on messages and presences, not on an iq
ext.Delay.get(iq)

// @ts-expect-error MucJoin is presence-only
ext.MucJoin.has(message)

// @ts-expect-error a data form type outside its closed union
ext.DataForm.set({ type: 'bogus', instructions: [], fields: [], items: [] })

// @ts-expect-error a literal outside its union
ab.format('c')

// @ts-expect-error roster ask is the closed union 'subscribe'
const badAsk: ext.RosterItem = { jid: service, ask: 'unsubscribe', groups: [] }

// @ts-expect-error a plain string is not a Jid
const notJid: ext.DiscoItem = { jid: 'example.com' }

// @ts-expect-error Delay cannot be in an iq
rx.query(stream)(ext.Delay, request)

// @ts-expect-error ChatState cannot be in an iq
rx.handle(ext.ChatState, 'get', () => null)

// @ts-expect-error records are readonly
typing.payload = []

// @ts-expect-error a required attribute (node) cannot be missing
Custom.encode({
  when: ext.DateTime.fromDate(new Date()),
  mode: 'a',
  tags: [],
  flagged: false,
  entries: [],
  codes: [],
  url: 'https://example.com/',
})

// @ts-expect-error a DateTime is branded: a plain string is not one
ext.Delay.encode({ stamp: '2002-09-10T23:08:25Z' })

void [badAsk, notJid]
