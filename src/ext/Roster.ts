/**
 * RFC 6121 §2 roster management: `<query xmlns='jabber:iq:roster' ver?>` with `<item/>`s (a
 * contact's JID, name, subscription state, pending `ask`, pre-approval and groups), in roster
 * gets, results, sets and pushes.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import { Iq, Jid, ext } from 'stanzakit'
 * const add = Iq.set(ext.Roster.encode({ items: [{ jid: Jid.unsafeParse('nurse@example.com'), groups: ['Servants'] }] }))
 * console.log(pipe(ext.Roster.get(add), O.map((r) => r.items[0]?.groups))) // { _tag: 'Some', value: ['Servants'] }
 *
 * // fetching it: rx.query(session)(ext.Roster, Iq.get(ext.Roster.encode({ items: [] })))
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'
import type * as Iq from '../Iq.js'
import * as Jid from '../Jid.js'

/** `jabber:iq:roster` (RFC 6121 §2.1). @category model @since 0.2.0 */
export const NS = 'jabber:iq:roster'

/** One roster `<item/>` (RFC 6121 §2.1.2). @category element definitions @since 0.2.0 */
export const RosterItem = X.element('item', NS, {
  jid: X.attr('jid', X.jid),
  name: X.optional(X.attr('name')),
  subscription: X.optional(X.attr('subscription', X.open('none', 'to', 'from', 'both', 'remove'))),
  ask: X.optional(X.attr('ask', X.literal('subscribe'))),
  approved: X.optional(X.attr('approved', X.boolean)),
  groups: X.childTexts('group'),
})

/** @category model @since 0.2.0 */
export type RosterItem = X.TypeOf<typeof RosterItem>

/** @category extensions @since 0.2.0 */
export const Roster = X.define({
  name: 'query',
  ns: NS,
  on: ['iq'],
  fields: { ver: X.optional(X.attr('ver')), items: X.many(RosterItem) },
})

/** @category model @since 0.2.0 */
export type Roster = X.TypeOf<typeof Roster>

/**
 * Whether an iq is a roster push we may apply (RFC 6121 §2.1.6): a `set` carrying a roster
 * query whose `from` is absent or our own bare JID. A push from anyone else is a spoof
 * (CVE-2015-8688, CVE-2016-9928): ignore it, do not even acknowledge it.
 *
 * @category rules
 * @since 0.2.0
 */
export const isRosterPushFrom =
  (me: Jid.Jid) =>
  (iq: Iq.Iq): boolean =>
    iq.type === 'set' && Roster.has(iq) && (iq.from === undefined || iq.from === Jid.bare(me))
