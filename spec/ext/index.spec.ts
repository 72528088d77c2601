/**
 * `stanzakit/ext` (docs/extensions.md "The extensions"): exactly the documented names, flat; each
 * extension value with the element, kinds and disco feature of its specification; each module
 * also on its own (`stanzakit/ext/<Module>`), exporting the same values.
 */
import { describe, expect, it } from '@jest/globals'
import * as X from '../../src/Extension.js'
import * as ChatStateModule from '../../src/ext/ChatState.js'
import * as CorrectionModule from '../../src/ext/Correction.js'
import * as DataFormModule from '../../src/ext/DataForm.js'
import * as DelayModule from '../../src/ext/Delay.js'
import * as DiscoModule from '../../src/ext/Disco.js'
import * as ForwardedModule from '../../src/ext/Forwarded.js'
import * as ext from '../../src/ext/index.js'
import * as MucModule from '../../src/ext/Muc.js'
import * as OobModule from '../../src/ext/Oob.js'
import * as PingModule from '../../src/ext/Ping.js'
import * as ReceiptsModule from '../../src/ext/Receipts.js'
import * as RosterModule from '../../src/ext/Roster.js'
import * as StanzaIdModule from '../../src/ext/StanzaId.js'
import * as VersionModule from '../../src/ext/Version.js'
import * as root from '../../src/index.js'
import * as Xml from '../../src/Xml.js'

/** docs/extensions.md's table: element, kinds and (where the specification defines one) disco feature. */
const table = {
  Delay: ['delay', 'urn:xmpp:delay', ['message', 'presence'], undefined], // XEP-0203 2.0 dropped disco
  ChatState: [
    'active',
    'http://jabber.org/protocol/chatstates',
    ['message'],
    'http://jabber.org/protocol/chatstates',
  ],
  ReceiptRequest: ['request', 'urn:xmpp:receipts', ['message'], 'urn:xmpp:receipts'],
  ReceiptReceived: ['received', 'urn:xmpp:receipts', ['message'], 'urn:xmpp:receipts'],
  Ping: ['ping', 'urn:xmpp:ping', ['iq'], 'urn:xmpp:ping'],
  Version: ['query', 'jabber:iq:version', ['iq'], 'jabber:iq:version'],
  DiscoInfo: [
    'query',
    'http://jabber.org/protocol/disco#info',
    ['iq'],
    'http://jabber.org/protocol/disco#info',
  ],
  DiscoItems: [
    'query',
    'http://jabber.org/protocol/disco#items',
    ['iq'],
    'http://jabber.org/protocol/disco#items',
  ],
  DataForm: ['x', 'jabber:x:data', ['message', 'iq'], 'jabber:x:data'],
  MucJoin: ['x', 'http://jabber.org/protocol/muc', ['presence'], 'http://jabber.org/protocol/muc'],
  MucUser: ['x', 'http://jabber.org/protocol/muc#user', ['message', 'presence'], undefined],
  StanzaId: ['stanza-id', 'urn:xmpp:sid:0', ['message'], 'urn:xmpp:sid:0'],
  OriginId: ['origin-id', 'urn:xmpp:sid:0', ['message'], 'urn:xmpp:sid:0'],
  Replace: ['replace', 'urn:xmpp:message-correct:0', ['message'], 'urn:xmpp:message-correct:0'],
  Forwarded: ['forwarded', 'urn:xmpp:forward:0', ['message'], 'urn:xmpp:forward:0'],
  Oob: ['x', 'jabber:x:oob', ['message'], 'jabber:x:oob'],
  Roster: ['query', 'jabber:iq:roster', ['iq'], undefined], // RFC 6121 defines no disco feature
} as const

/** The protocol helpers of docs/extensions.md. */
const helpers = [
  'discoInfoFor',
  'formType',
  'isMucSelfPresence',
  'isRosterPushFrom',
  'pong',
  'receiptFor',
] as const

/**
 * Also exported: the element definitions of the records the table names (`Field` of DataForm,
 * `MucItem`, the identities and items of disco, roster items), for users' own extensions, and
 * `DateTime` (the table's `since`/`stamp` type, with `toDate`/`fromDate`).
 */
const definitions = ['DiscoItem', 'FormField', 'Identity', 'MucItem', 'RosterItem'] as const
const scalars = ['DateTime'] as const

/** Each module of docs/extensions.md ("Modules") and what it exports. */
const modules: ReadonlyArray<
  readonly [string, Readonly<Record<string, unknown>>, ReadonlyArray<string>]
> = [
  ['Delay', DelayModule, ['Delay']],
  ['ChatState', ChatStateModule, ['ChatState']],
  ['Receipts', ReceiptsModule, ['ReceiptRequest', 'ReceiptReceived', 'receiptFor']],
  ['Ping', PingModule, ['Ping', 'pong']],
  ['Version', VersionModule, ['Version']],
  ['Disco', DiscoModule, ['DiscoInfo', 'DiscoItems', 'discoInfoFor', 'Identity', 'DiscoItem']],
  ['DataForm', DataFormModule, ['DataForm', 'formType', 'FormField']],
  ['Muc', MucModule, ['MucJoin', 'MucUser', 'isMucSelfPresence', 'MucItem']],
  ['StanzaId', StanzaIdModule, ['StanzaId', 'OriginId']],
  ['Correction', CorrectionModule, ['Replace']],
  ['Forwarded', ForwardedModule, ['Forwarded']],
  ['Oob', OobModule, ['Oob']],
  ['Roster', RosterModule, ['Roster', 'isRosterPushFrom', 'RosterItem']],
]

type AnyExtension = X.Extension<X.Kind, unknown>
const values = ext as unknown as Readonly<Record<string, unknown>>

describe('ext (index)', () => {
  it('exports exactly the documented names, flat', () => {
    expect(Object.keys(ext).sort()).toStrictEqual(
      [...Object.keys(table), ...helpers, ...definitions, ...scalars].sort(),
    )
  })

  it('is the `ext` namespace of the root module (docs/api.md)', () => {
    expect(root.ext).toBe(ext)
  })

  it.each(Object.entries(table))(
    '%s: name, ns, kinds and feature per docs/extensions.md',
    (key, row) => {
      const [name, ns, kinds, feature] = row
      const e = values[key] as AnyExtension
      expect(e.name).toBe(name)
      expect(e.ns).toBe(ns)
      expect(e.kinds).toStrictEqual(kinds)
      if (feature === undefined) expect('feature' in e).toBe(false)
      else expect(e.feature).toBe(feature)
      // Every value is a whole Extension.
      for (const op of ['codec', 'is', 'decode', 'encode', 'get', 'getEither', 'getAll', 'has'])
        expect(op in e).toBe(true)
      for (const op of ['set', 'add', 'modify', 'remove'])
        expect(typeof (e as unknown as Record<string, unknown>)[op]).toBe('function')
      expect(e.is(Xml.element(name, ns))).toBe(true)
      expect(e.is(Xml.element(name, 'urn:example:other'))).toBe(false)
    },
  )

  it('ChatState: name is the first of its names and `is` matches all five (docs/extensions.md `oneOf`)', () => {
    for (const state of ['active', 'composing', 'paused', 'inactive', 'gone'])
      expect(ext.ChatState.is(Xml.element(state, ext.ChatState.ns))).toBe(true)
    expect(ext.ChatState.is(Xml.element('typing', ext.ChatState.ns))).toBe(false)
  })

  it('the protocol helpers are functions, and pong an IqHandler record', () => {
    for (const h of helpers.filter((n) => n !== 'pong')) expect(typeof values[h]).toBe('function')
    expect(ext.pong).toMatchObject({ name: 'ping', ns: 'urn:xmpp:ping', type: 'get' })
  })

  it('DateTime is the one of stanzakit/Extension', () => {
    expect(ext.DateTime).toBe(X.DateTime)
  })

  it.each(modules)('stanzakit/ext/%s exports the same values', (_name, module, names) => {
    for (const n of names) {
      expect(n in module).toBe(true)
      expect(module[n]).toBe(values[n])
    }
  })

  it('every flat export comes from one module', () => {
    const fromModules = modules.flatMap(([, , names]) => names)
    expect(new Set(fromModules).size).toBe(fromModules.length)
    expect([...fromModules, ...scalars].sort()).toStrictEqual(Object.keys(ext).sort())
  })
})
