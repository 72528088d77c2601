/**
 * fast-check generators for the records of `stanzakit/ext`: records the decoders could produce
 * from parsed XML. JIDs are canonical, DateTimes valid XEP-0082, texts XML characters only,
 * `text()` fields never blank; optional keys are missing rather than `undefined`; lists may be
 * empty. Records that keep extras carry a `$rest` now and then: unknown attributes, and unknown
 * children (foreign elements, elements of the same namespace with unknown names, non-blank text)
 * at positions the decoder would report.
 */
import fc from 'fast-check'
import * as X from '../../src/Extension.js'
import type * as ext from '../../src/ext/index.js'
import * as Ext from '../../src/ext/index.js'
import type * as Jid from '../../src/Jid.js'
import * as Xml from '../../src/Xml.js'
import * as JidArb from './Jid.js'
import * as StanzaArb from './Stanza.js'
import * as XmlArb from './Xml.js'

// -------------------------------------------------------------------------------------
// scalars
// -------------------------------------------------------------------------------------

const isBlank = (s: string): boolean => /^[ \t\r\n]*$/.test(s)

/** Any XML text, `''` and white space included: attribute values, `childText` values. */
export const text: fc.Arbitrary<string> = XmlArb.text

/** Text that is not only white space: what a `text()` field can hold. */
export const nonBlank: fc.Arbitrary<string> = fc.oneof(
  text.filter((s) => !isBlank(s)),
  fc.constantFrom('Offline Storage', '\n    Offline Storage\n  ', ' x ', 'a\tb'),
)

/** Canonical JIDs: plain ASCII ones and the harder ones (IDNs, IP literals, odd resources). */
export const jid: fc.Arbitrary<Jid.Jid> = fc.oneof(StanzaArb.jid, JidArb.jid)

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

/** XEP-0082 DateTimes: any year 0000–9999, fractions of any length, `Z` or a `±hh:mm` zone. */
export const dateTime: fc.Arbitrary<X.DateTime> = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.oneof(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 29, max: 31 })),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.stringMatching(/^\.[0-9]{1,9}$/), { nil: '' }),
    zone: fc.oneof(
      fc.constant('Z'),
      fc
        .tuple(
          fc.constantFrom('+', '-'),
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
        )
        .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map(
    (d) =>
      `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}T${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}${d.fraction}${d.zone}`,
  )
  .filter(X.DateTime.is)

/** Integers as the decoder reads them: safe integers, never `-0`. */
export const int: fc.Arbitrary<number> = fc
  .oneof(
    fc.integer({ min: -5, max: 1000 }),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  )
  .map((n) => n + 0)

/** An `open(...)` enumeration: a known value, or any other string. */
const openValue = (...known: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: text })

// -------------------------------------------------------------------------------------
// $rest
// -------------------------------------------------------------------------------------

// Names no definition of src/ext uses for an attribute or a child.
const unknownName: fc.Arbitrary<string> = fc.stringMatching(/^q[a-z0-9]{0,5}$/)

const nullRecord = (r: Readonly<Record<string, string>>): Record<string, string> =>
  Object.assign(Object.create(null) as Record<string, string>, r)

/** Attributes no definition models: unknown names, and names in a foreign namespace. */
const restAttrs: fc.Arbitrary<Readonly<Record<string, string>>> = fc
  .dictionary(
    fc.oneof(unknownName, fc.constantFrom('{urn:example:attr}q', '{urn:example:other}extra')),
    text,
    { minKeys: 1, maxKeys: 3, noNullPrototype: true },
  )
  .map(nullRecord)

/** An element no field takes: an unknown name, in the parent's namespace or another one. */
const restElement = (ns: string): fc.Arbitrary<Xml.XmlElement> =>
  fc
    .tuple(
      unknownName,
      fc.constantFrom(ns, 'urn:example:unknown', ''),
      XmlArb.attrs,
      fc.array(fc.oneof(XmlArb.text, XmlArb.element), { maxLength: 2 }),
    )
    .map(([name, uri, attrs, children]) => Xml.element(name, uri, attrs, children))

interface RestOptions {
  /** The element's namespace. */
  readonly ns: string
  /** How many children the record's fields write (the `at` positions depend on it). */
  readonly count: (a: never) => number
  /** Whether unknown text may be kept: not where a `text()` field takes all the text. */
  readonly text?: boolean
}

/**
 * Adds, now and then, a `$rest` the decoder could have produced: unknown attributes, and unknown
 * children with strictly increasing `at` positions within the encoded children. Two unknown
 * texts are never neighbours (the parser would have merged them).
 */
export const withRest = <A extends object>(
  base: fc.Arbitrary<A>,
  options: RestOptions,
): fc.Arbitrary<A> => {
  const node: fc.Arbitrary<Xml.XmlNode> =
    options.text === false
      ? restElement(options.ns)
      : fc.oneof(
          { weight: 3, arbitrary: restElement(options.ns) },
          { weight: 1, arbitrary: nonBlank },
        )
  const count = options.count as (a: A) => number
  return base.chain((a) => {
    const m = count(a)
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant(a) },
      {
        weight: 1,
        arbitrary: fc
          .record(
            {
              attrs: restAttrs,
              children: fc.array(fc.tuple(fc.nat(m), node), { minLength: 1, maxLength: 3 }),
            },
            { requiredKeys: [], noNullPrototype: true },
          )
          .map(({ attrs, children }) => {
            const kept: Array<readonly [number, Xml.XmlNode]> = []
            for (const [gap, n] of [...(children ?? [])].sort((x, y) => x[0] - y[0])) {
              const last = kept[kept.length - 1]
              if (
                last !== undefined &&
                last[0] === gap &&
                typeof last[1] === 'string' &&
                typeof n === 'string'
              )
                continue
              kept.push([gap, n])
            }
            const rest: X.Rest = {
              ...(attrs === undefined ? {} : { attrs }),
              ...(kept.length === 0
                ? {}
                : { children: kept.map(([gap, n], j) => ({ at: gap + j, node: n })) }),
            }
            return rest.attrs === undefined && rest.children === undefined
              ? a
              : { ...a, $rest: rest }
          }),
      },
    )
  })
}

const childrenOf =
  <A>(def: X.ElementDef<A>) =>
  (a: A): number =>
    def.encode(a).children.length

const lists = { maxLength: 3 } as const

// -------------------------------------------------------------------------------------
// records
// -------------------------------------------------------------------------------------

/** XEP-0203 delays. */
export const delay: fc.Arbitrary<ext.Delay> = withRest(
  fc.record(
    { stamp: dateTime, from: jid, reason: nonBlank },
    { requiredKeys: ['stamp'], noNullPrototype: true },
  ),
  { ns: Ext.Delay.ns, count: childrenOf(Ext.Delay), text: false },
)

/** XEP-0085 chat states. */
export const chatState: fc.Arbitrary<ext.ChatState> = fc.constantFrom(
  'active',
  'composing',
  'paused',
  'inactive',
  'gone',
)

/** XEP-0184 `<request/>`. */
export const receiptRequest: fc.Arbitrary<ext.ReceiptRequest> = withRest(fc.constant({}), {
  ns: Ext.ReceiptRequest.ns,
  count: () => 0,
})

/** XEP-0184 `<received id?/>`. */
export const receiptReceived: fc.Arbitrary<ext.ReceiptReceived> = withRest(
  fc.record({ id: text }, { requiredKeys: [], noNullPrototype: true }),
  { ns: Ext.ReceiptReceived.ns, count: () => 0 },
)

/** XEP-0199 `<ping/>`. */
export const ping: fc.Arbitrary<ext.Ping> = withRest(fc.constant({}), {
  ns: Ext.Ping.ns,
  count: () => 0,
})

/** XEP-0092 software versions. */
export const version: fc.Arbitrary<ext.Version> = withRest(
  fc.record({ name: text, version: text, os: text }, { requiredKeys: [], noNullPrototype: true }),
  { ns: Ext.Version.ns, count: childrenOf(Ext.Version) },
)

const formOption = withRest(
  fc.record({ label: text, value: text }, { requiredKeys: ['value'], noNullPrototype: true }),
  { ns: Ext.DataForm.ns, count: () => 1 },
)

/** XEP-0004 form fields. */
export const formField: fc.Arbitrary<ext.FormField> = withRest(
  fc.record(
    {
      var: fc.oneof(fc.constant('FORM_TYPE'), text),
      type: openValue(
        'boolean',
        'fixed',
        'hidden',
        'jid-multi',
        'jid-single',
        'list-multi',
        'list-single',
        'text-multi',
        'text-private',
        'text-single',
      ),
      label: text,
      desc: text,
      required: fc.boolean(),
      values: fc.array(text, lists),
      options: fc.array(formOption, { maxLength: 2 }),
    },
    { requiredKeys: ['required', 'values', 'options'], noNullPrototype: true },
  ),
  { ns: Ext.DataForm.ns, count: childrenOf(Ext.FormField) },
)

/** XEP-0004 data forms, with `<reported/>` and `<item/>`s now and then. */
export const dataForm: fc.Arbitrary<ext.DataForm> = withRest(
  fc.record(
    {
      type: fc.constantFrom('form', 'submit', 'cancel', 'result'),
      title: text,
      instructions: fc.array(text, { maxLength: 2 }),
      fields: fc.array(formField, { maxLength: 2 }),
      reported: fc.array(formField, { maxLength: 2 }),
      items: fc.array(fc.array(formField, { maxLength: 2 }), { maxLength: 2 }),
    },
    { requiredKeys: ['type', 'instructions', 'fields', 'items'], noNullPrototype: true },
  ),
  { ns: Ext.DataForm.ns, count: childrenOf(Ext.DataForm) },
)

/** XEP-0030 identities. */
export const identity: fc.Arbitrary<ext.Identity> = withRest(
  fc.record(
    {
      category: openValue('account', 'auth', 'client', 'component', 'conference', 'server'),
      type: openValue('bot', 'pc', 'text', 'im', 'phone'),
      name: text,
      lang: fc.oneof(StanzaArb.lang, text),
    },
    { requiredKeys: ['category', 'type'], noNullPrototype: true },
  ),
  { ns: Ext.DiscoInfo.ns, count: () => 0 },
)

/** XEP-0030 disco#info, with XEP-0128 forms. */
export const discoInfo: fc.Arbitrary<ext.DiscoInfo> = withRest(
  fc.record(
    {
      node: text,
      identities: fc.array(identity, lists),
      features: fc.array(text, lists),
      extensions: fc.array(dataForm, { maxLength: 1 }),
    },
    { requiredKeys: ['identities', 'features', 'extensions'], noNullPrototype: true },
  ),
  { ns: Ext.DiscoInfo.ns, count: childrenOf(Ext.DiscoInfo) },
)

/** XEP-0030 disco#items. */
export const discoItems: fc.Arbitrary<ext.DiscoItems> = withRest(
  fc.record(
    {
      node: text,
      items: fc.array(
        withRest(
          fc.record(
            { jid, node: text, name: text },
            { requiredKeys: ['jid'], noNullPrototype: true },
          ),
          { ns: Ext.DiscoItems.ns, count: () => 0 },
        ),
        lists,
      ),
    },
    { requiredKeys: ['items'], noNullPrototype: true },
  ),
  { ns: Ext.DiscoItems.ns, count: childrenOf(Ext.DiscoItems) },
)

/** XEP-0045 `<x xmlns='…/muc'/>` of a join. */
export const mucJoin: fc.Arbitrary<ext.MucJoin> = withRest(
  fc.record(
    {
      password: text,
      history: withRest(
        fc.record(
          { maxchars: int, maxstanzas: int, seconds: int, since: dateTime },
          { requiredKeys: [], noNullPrototype: true },
        ),
        { ns: Ext.MucJoin.ns, count: () => 0 },
      ),
    },
    { requiredKeys: [], noNullPrototype: true },
  ),
  { ns: Ext.MucJoin.ns, count: childrenOf(Ext.MucJoin) },
)

const USER = Ext.MucUser.ns

/** XEP-0045 occupant items. */
export const mucItem: fc.Arbitrary<ext.MucItem> = withRest(
  fc.record(
    {
      affiliation: openValue('owner', 'admin', 'member', 'outcast', 'none'),
      role: openValue('moderator', 'participant', 'visitor', 'none'),
      jid,
      nick: text,
      actor: withRest(fc.record({ jid, nick: text }, { requiredKeys: [], noNullPrototype: true }), {
        ns: USER,
        count: () => 0,
      }),
      reason: text,
    },
    { requiredKeys: [], noNullPrototype: true },
  ),
  { ns: USER, count: childrenOf(Ext.MucItem) },
)

const hasReason = (r: { readonly reason?: string }): number => (r.reason === undefined ? 0 : 1)

const invitation = withRest(
  fc.record({ from: jid, to: jid, reason: text }, { requiredKeys: [], noNullPrototype: true }),
  { ns: USER, count: hasReason },
)

/** XEP-0045 `<x xmlns='…/muc#user'/>`. */
export const mucUser: fc.Arbitrary<ext.MucUser> = withRest(
  fc.record(
    {
      items: fc.array(mucItem, { maxLength: 2 }),
      statusCodes: fc.array(int, lists),
      invites: fc.array(invitation, { maxLength: 2 }),
      decline: invitation,
      destroy: withRest(
        fc.record({ jid, reason: text }, { requiredKeys: [], noNullPrototype: true }),
        { ns: USER, count: hasReason },
      ),
      password: text,
    },
    { requiredKeys: ['items', 'statusCodes', 'invites'], noNullPrototype: true },
  ),
  { ns: USER, count: childrenOf(Ext.MucUser) },
)

/** XEP-0359 `<stanza-id/>`. */
export const stanzaId: fc.Arbitrary<ext.StanzaId> = withRest(
  fc.record({ id: text, by: jid }, { noNullPrototype: true }),
  { ns: Ext.StanzaId.ns, count: () => 0 },
)

/** XEP-0359 `<origin-id/>`. */
export const originId: fc.Arbitrary<ext.OriginId> = withRest(
  fc.record({ id: text }, { noNullPrototype: true }),
  { ns: Ext.OriginId.ns, count: () => 0 },
)

/** XEP-0308 `<replace/>`. */
export const replace: fc.Arbitrary<ext.Replace> = withRest(
  fc.record({ id: text }, { noNullPrototype: true }),
  { ns: Ext.Replace.ns, count: () => 0 },
)

/** XEP-0297 forwarded stanzas of every kind, in `jabber:client` or (`$ns`) `jabber:server`. */
export const forwarded: fc.Arbitrary<ext.Forwarded> = withRest(
  fc
    .record(
      { delay, stanza: StanzaArb.stanza, server: fc.boolean() },
      { requiredKeys: ['stanza', 'server'], noNullPrototype: true },
    )
    .map(({ server, ...r }): ext.Forwarded => (server ? { ...r, $ns: 'jabber:server' } : r)),
  { ns: Ext.Forwarded.ns, count: childrenOf(Ext.Forwarded) },
)

/** XEP-0066 `<x xmlns='jabber:x:oob'/>`. */
export const oob: fc.Arbitrary<ext.Oob> = withRest(
  fc.record({ url: text, desc: text }, { requiredKeys: ['url'], noNullPrototype: true }),
  { ns: Ext.Oob.ns, count: childrenOf(Ext.Oob) },
)

/** RFC 6121 roster items. */
export const rosterItem: fc.Arbitrary<ext.RosterItem> = withRest(
  fc.record(
    {
      jid,
      name: text,
      subscription: openValue('none', 'to', 'from', 'both', 'remove'),
      ask: fc.constant('subscribe' as const),
      approved: fc.boolean(),
      groups: fc.array(text, lists),
    },
    { requiredKeys: ['jid', 'groups'], noNullPrototype: true },
  ),
  { ns: Ext.Roster.ns, count: childrenOf(Ext.RosterItem) },
)

/** RFC 6121 roster queries. */
export const roster: fc.Arbitrary<ext.Roster> = withRest(
  fc.record(
    { ver: text, items: fc.array(rosterItem, lists) },
    { requiredKeys: ['items'], noNullPrototype: true },
  ),
  { ns: Ext.Roster.ns, count: childrenOf(Ext.Roster) },
)
