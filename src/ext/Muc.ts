/**
 * XEP-0045 Multi-User Chat: `MucJoin` (`<x xmlns='…/muc'>` in the presence that joins a room,
 * with a password and history limits) and `MucUser` (`<x xmlns='…/muc#user'>` in what the room
 * sends: occupant items, status codes, invitations, declines, destruction).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Jid, Presence, ext } from 'stanzakit'
 * const join = pipe(
 *   Presence.make({ to: Jid.unsafeParse('room@conference.example.com/bot') }),
 *   ext.MucJoin.set({ history: { maxstanzas: 0 } }),
 * )
 * console.log(ext.MucJoin.get(join)) // { _tag: 'Some', value: { history: { maxstanzas: 0 } } }
 *
 * @since 0.2.0
 */
import * as X from '../Extension.js'
import type * as Presence from '../Presence.js'

/** `http://jabber.org/protocol/muc` (XEP-0045 §19.1). @category model @since 0.2.0 */
export const NS = 'http://jabber.org/protocol/muc'
/** `http://jabber.org/protocol/muc#user` @category model @since 0.2.0 */
export const USER = 'http://jabber.org/protocol/muc#user'

/** @category extensions @since 0.2.0 */
export const MucJoin = X.define({
  name: 'x',
  ns: NS,
  on: ['presence'],
  feature: NS,
  fields: {
    password: X.childText('password'),
    history: X.child(
      X.element('history', NS, {
        maxchars: X.optional(X.attr('maxchars', X.int)),
        maxstanzas: X.optional(X.attr('maxstanzas', X.int)),
        seconds: X.optional(X.attr('seconds', X.int)),
        since: X.optional(X.attr('since', X.dateTime)),
      }),
    ),
  },
})

/** @category model @since 0.2.0 */
export type MucJoin = X.TypeOf<typeof MucJoin>

const affiliation = X.open('owner', 'admin', 'member', 'outcast', 'none')
const role = X.open('moderator', 'participant', 'visitor', 'none')

/** An occupant `<item/>` (XEP-0045 §7.2.2). @category element definitions @since 0.2.0 */
export const MucItem = X.element('item', USER, {
  affiliation: X.optional(X.attr('affiliation', affiliation)),
  role: X.optional(X.attr('role', role)),
  jid: X.optional(X.attr('jid', X.jid)),
  nick: X.optional(X.attr('nick')),
  actor: X.child(
    X.element('actor', USER, {
      jid: X.optional(X.attr('jid', X.jid)),
      nick: X.optional(X.attr('nick')),
    }),
  ),
  reason: X.childText('reason'),
})

/** @category model @since 0.2.0 */
export type MucItem = X.TypeOf<typeof MucItem>

const invitation = (name: string) =>
  X.element(name, USER, {
    from: X.optional(X.attr('from', X.jid)),
    to: X.optional(X.attr('to', X.jid)),
    reason: X.childText('reason'),
  })

/** @category extensions @since 0.2.0 */
export const MucUser = X.define({
  name: 'x',
  ns: USER,
  on: ['message', 'presence'],
  fields: {
    items: X.many(MucItem),
    statusCodes: X.values('status', 'code', X.int),
    invites: X.many(invitation('invite')),
    decline: X.child(invitation('decline')),
    destroy: X.child(
      X.element('destroy', USER, {
        jid: X.optional(X.attr('jid', X.jid)),
        reason: X.childText('reason'),
      }),
    ),
    password: X.childText('password'),
  },
})

/** @category model @since 0.2.0 */
export type MucUser = X.TypeOf<typeof MucUser>

/**
 * Whether a room presence is about us: status code 110 (XEP-0045 §7.2.2, §16.6), which the room
 * sends in our own occupant's presence (self-presence) when we join, change or leave.
 *
 * @category rules
 * @since 0.2.0
 */
export const isMucSelfPresence = (p: Presence.Presence): boolean =>
  MucUser.getAll(p).some((x) => x.statusCodes.includes(110))
