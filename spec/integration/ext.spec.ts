/**
 * The typed extensions (`stanzakit/ext`) against a real Prosody 0.12 (`npm run test:integration`;
 * docs/prosody.md): what the server really sends, decoded by the extension values and the rx helpers
 * built on them (`rx.query`, `rx.handle`, `rx.withExtension`), with no hand-written XML.
 *
 * - disco#info, disco#items and version of the server and of the MUC service (`rx.query`);
 * - XEP-0199 ping (`rx.request`: the result is empty by design; `rx.query` refuses it);
 * - roster get, set and the push that follows (`rx.handle(Roster, 'set', …)`, `isRosterPushFrom`);
 * - MUC join: self-presence with status 110 (`MucUser`, `isMucSelfPresence`);
 * - XEP-0203 delays stamped by offline storage and by MUC history (`Delay`).
 *
 * Accounts: alice (read-only queries), grace (roster), heidi (offline storage), frank and erin
 * (MUC). Each live wait is bounded (`timeout`), sessions are closed after each test.
 */
import { afterEach, expect, it } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { filter, firstValueFrom, map, type Observable, timeout } from 'rxjs'
import { connect } from '../../src/connection/connect.js'
import type * as S from '../../src/connection/Session.js'
import * as DecodeError from '../../src/DecodeError.js'
import type * as Extension from '../../src/Extension.js'
import * as ext from '../../src/ext/index.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import * as rx from '../../src/rx/index.js'
import * as Stanza from '../../src/Stanza.js'
import type * as Xml from '../../src/Xml.js'
import { jid } from '../helpers.js'
import { config, describeIntegration } from './setup.js'

const WAIT = 4000

const sessions: S.Session[] = []
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()))
})

/** Logs `username` in (plain TCP, SCRAM), remembering the session for `afterEach`. */
const login = async (username: string, resource: string): Promise<S.Session> => {
  const c = config()
  const account = c.user(username)
  const session = await connect({
    service: c.c2s.service,
    domain: c.domain,
    username: account.username,
    password: account.password,
    resource,
    tls: 'none',
    timeout: WAIT,
  })
  sessions.push(session)
  return session
}

const server = (): Jid.Jid => jid(config().domain)
const ask = (s: S.Session) => rx.query(s, { timeout: WAIT })

/** The first value of `o` within `WAIT` ms: subscribe (call) before sending what it waits for. */
const first = <A>(o: Observable<A>): Promise<A> => firstValueFrom(o.pipe(timeout(WAIT)))

/** The first incoming stanza of `s` that `p` accepts. */
const next = <A extends Stanza.Stanza>(s: S.Session, p: (x: Stanza.Stanza) => x is A): Promise<A> =>
  first(s.incoming.pipe(filter(p)))

// Requests carry the extension's empty element: every record field is optional or a list.
const discoInfo = (to: Jid.Jid): Iq.Request =>
  Iq.get(ext.DiscoInfo.encode({ identities: [], features: [], extensions: [] }), { to })
const discoItems = (to: Jid.Jid): Iq.Request => Iq.get(ext.DiscoItems.encode({ items: [] }), { to })
const rosterGet = (): Iq.Request => Iq.get(ext.Roster.encode({ items: [] }))

/**
 * An element as a lossless round trip may give it back (docs/extensions.md "What lossless means"):
 * attribute order, and the order of differently named children, do not count; the order of
 * same-named children and all text do.
 */
const canonical = (el: Xml.XmlElement): unknown => {
  const groups: Record<string, unknown[]> = {}
  const text: string[] = []
  for (const c of el.children) {
    if (typeof c === 'string') text.push(c)
    else {
      const key = `{${c.ns}}${c.name}`
      groups[key] = [...(groups[key] ?? []), canonical(c)]
    }
  }
  return { name: el.name, ns: el.ns, attrs: el.attrs, text: text.join(''), children: groups }
}

/** Every element of `payload` that `def` models decodes, and encodes back to itself. */
const expectLossless = <A>(
  def: Extension.ElementDef<A>,
  payload: ReadonlyArray<Xml.XmlElement>,
) => {
  const els = payload.filter(def.is)
  expect(els.length).toBeGreaterThan(0)
  for (const el of els) {
    const a = def.decode(el)
    if (E.isLeft(a)) throw new Error(DecodeError.format(a.left))
    expect(canonical(def.encode(a.right))).toEqual(canonical(el))
  }
}

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )

/** A fresh room on the MUC service, so runs and tests do not meet in it. */
const freshRoom = (name: string): Jid.Jid =>
  jid(
    `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@${config().mucDomain}`,
  )

/** Joins `room` as `nick` (XEP-0045 §7.2) and resolves with our self-presence (status 110). */
const join = async (
  s: S.Session,
  room: Jid.Jid,
  nick: string,
  mucJoin: ext.MucJoin = { history: { maxstanzas: 0 } },
): Promise<Presence.Presence> => {
  const self = next(
    s,
    (x): x is Presence.Presence => Stanza.isPresence(x) && ext.isMucSelfPresence(x),
  )
  s.send(ext.MucJoin.set(mucJoin)(Presence.make({ to: jid(`${room}/${nick}`) })))
  return self
}

describeIntegration('integration: stanzakit/ext against Prosody', () => {
  // ---------------------------------------------------------------------------------
  // service discovery and version (rx.query)
  // ---------------------------------------------------------------------------------

  it('DiscoInfo of the server: identity server/im, the features Prosody 0.12 advertises', async () => {
    const s = await login('alice', 'ext-disco-info')
    const info = await first(ask(s)(ext.DiscoInfo, discoInfo(server())))
    expect(info.identities).toContainEqual(
      expect.objectContaining({ category: 'server', type: 'im' }),
    )
    expect(info.features).toEqual(
      expect.arrayContaining([
        'http://jabber.org/protocol/disco#info',
        'http://jabber.org/protocol/disco#items',
        ext.Ping.feature,
        ext.Version.feature,
        'jabber:iq:roster',
        'msgoffline', // offline storage (XEP-0160): what the Delay test below relies on
      ]),
    )
    expect(info.extensions).toEqual([])
    expect(info).not.toHaveProperty('node')
  })

  it('DiscoItems of the server: the MUC service is listed', async () => {
    const s = await login('alice', 'ext-disco-items')
    const items = await first(ask(s)(ext.DiscoItems, discoItems(server())))
    expect(items.items.map((i) => i.jid)).toContain(config().mucDomain)
    expect(items.items.every((i) => Jid.is(i.jid))).toBe(true)
  })

  it('DiscoInfo of the MUC service: identity conference/text, feature muc', async () => {
    const s = await login('alice', 'ext-disco-muc')
    const info = await first(ask(s)(ext.DiscoInfo, discoInfo(jid(config().mucDomain))))
    expect(info.identities).toContainEqual(
      expect.objectContaining({ category: 'conference', type: 'text' }),
    )
    expect(info.features).toContain(ext.MucJoin.feature)
  })

  it('Version of the server: name Prosody, a version and an os', async () => {
    const s = await login('alice', 'ext-version')
    const v = await first(ask(s)(ext.Version, Iq.get(ext.Version.encode({}), { to: server() })))
    expect(v.name).toBe('Prosody')
    expect(v.version).toMatch(/^\d+\.\d+/)
    expect(typeof v.os).toBe('string')
  })

  it('what Prosody answers (disco#info, disco#items, version, roster) encodes back losslessly', async () => {
    const s = await login('alice', 'ext-lossless')
    const payloadOf = (iq: Iq.Request) => first(rx.request(s)(iq)).then((r) => r.payload)
    expectLossless(ext.DiscoInfo, await payloadOf(discoInfo(server())))
    expectLossless(ext.DiscoInfo, await payloadOf(discoInfo(jid(config().mucDomain))))
    expectLossless(ext.DiscoItems, await payloadOf(discoItems(server())))
    expectLossless(ext.Version, await payloadOf(Iq.get(ext.Version.encode({}), { to: server() })))
    expectLossless(ext.Roster, await payloadOf(rosterGet()))
  })

  // ---------------------------------------------------------------------------------
  // ping (rx.request; the result is empty by design)
  // ---------------------------------------------------------------------------------

  it('Ping the server with rx.request: an empty result', async () => {
    const s = await login('alice', 'ext-ping')
    const r = await first(rx.request(s)(Iq.get(ext.Ping.encode({}), { to: server() })))
    expect(r).toMatchObject({ kind: 'iq', type: 'result', payload: [] })
    expect(ext.Ping.has(r)).toBe(false)
  })

  it('rx.query(Ping, …): the empty result fails with IqBadResponse (use rx.request)', async () => {
    const s = await login('alice', 'ext-ping-query')
    const e = await rejection(
      first(ask(s)(ext.Ping, Iq.get(ext.Ping.encode({}), { to: server() }))),
    )
    expect(rx.isIqBadResponse(e)).toBe(true)
    if (rx.isIqBadResponse(e)) {
      expect(e.response).toMatchObject({ type: 'result', payload: [] })
      expect(DecodeError.format(e.error)).toContain("<ping xmlns='urn:xmpp:ping'>")
    }
  })

  // ---------------------------------------------------------------------------------
  // roster (RFC 6121 §2)
  // ---------------------------------------------------------------------------------

  it('Roster get, set, and the push after the set (rx.handle(Roster, set), isRosterPushFrom)', async () => {
    const s = await login('grace', 'ext-roster')
    const acked: ext.Roster[] = []
    rx.serve(s, [
      rx.handle(ext.Roster, 'set', (_request, roster) => {
        acked.push(roster)
        return null // the empty result RFC 6121 §2.1.6 asks for
      }),
    ])
    const before = await first(ask(s)(ext.Roster, rosterGet()))
    expect(Array.isArray(before.items)).toBe(true)

    const contact = jid(`heidi@${config().domain}`)
    const pushes = s.incoming.pipe(
      rx.ofKind('iq'),
      filter(ext.isRosterPushFrom(s.jid)),
      rx.withExtension(ext.Roster),
      map(([iq, roster]) => ({ iq, roster })),
    )
    const pushed = first(pushes)
    const set = await first(
      rx.request(s)(
        Iq.set(ext.Roster.encode({ items: [{ jid: contact, name: 'Heidi', groups: ['Tests'] }] })),
      ),
    )
    expect(set.type).toBe('result')
    const { iq, roster } = await pushed
    expect(iq.type).toBe('set')
    expect(iq.from === undefined || iq.from === Jid.bare(s.jid)).toBe(true)
    expect(roster.items).toEqual([
      expect.objectContaining({
        jid: contact,
        name: 'Heidi',
        subscription: 'none',
        groups: ['Tests'],
      }),
    ])
    // the push decodes the same way from the raw stanza, and encodes back to it
    expect(ext.Roster.get(iq)).toEqual(O.some(roster))
    expectLossless(ext.Roster, iq.payload)
    // rx.serve ran our handler on the same push (and sent the empty result)
    expect(acked.some((r) => r.items.some((i) => i.jid === contact))).toBe(true)

    const after = await first(ask(s)(ext.Roster, rosterGet()))
    expect(after.items.find((i) => i.jid === contact)).toMatchObject({ name: 'Heidi' })

    // clean up: remove the item; its push says subscription 'remove'
    const removed = first(
      pushes.pipe(filter(({ roster }) => roster.items[0]?.subscription === 'remove')),
    )
    await first(
      rx.request(s)(
        Iq.set(
          ext.Roster.encode({ items: [{ jid: contact, subscription: 'remove', groups: [] }] }),
        ),
      ),
    )
    expect((await removed).roster.items[0]?.jid).toBe(contact)
  })

  // ---------------------------------------------------------------------------------
  // MUC (XEP-0045)
  // ---------------------------------------------------------------------------------

  it('MucJoin: self-presence with status 110 (and 201, new room), owner/moderator item', async () => {
    const s = await login('frank', 'ext-muc')
    const room = freshRoom('ext-join')
    const self = await join(s, room, 'Frank')
    expect(self.from).toBe(`${room}/Frank`)
    expect(ext.isMucSelfPresence(self)).toBe(true)
    const user = ext.MucUser.getEither(self)
    expect(E.isRight(user)).toBe(true)
    const x = O.toUndefined(ext.MucUser.get(self))
    expect(x?.statusCodes).toEqual(expect.arrayContaining([110, 201]))
    expect(x?.items).toHaveLength(1)
    expect(x?.items[0]).toMatchObject({ affiliation: 'owner', role: 'moderator' })
    // Prosody shows our real JID to us (we are a moderator)
    expect(x?.items[0]?.jid).toBe(s.jid)
    // Prosody writes <status code='201'/><item/><status code='110'/>: only the order of
    // differently named children may change
    expectLossless(ext.MucUser, self.payload)
  })

  it('MucUser: another occupant joining is not a self-presence; its item is decoded', async () => {
    const frank = await login('frank', 'ext-muc-2')
    const erin = await login('erin', 'ext-muc-2')
    const room = freshRoom('ext-occupants')
    await join(frank, room, 'Frank')
    const seen = next(
      frank,
      (x): x is Presence.Presence =>
        Stanza.isPresence(x) && x.from === `${room}/Erin` && ext.MucUser.has(x),
    )
    await join(erin, room, 'Erin')
    const p = await seen
    expect(ext.isMucSelfPresence(p)).toBe(false)
    const x = O.toUndefined(ext.MucUser.get(p))
    expect(x?.items[0]).toMatchObject({ affiliation: 'none', role: 'participant' })
    // the room owner (a moderator) sees the real JID of a semi-anonymous room's occupant
    expect(x?.items[0]?.jid).toBe(erin.jid)
  })

  // ---------------------------------------------------------------------------------
  // delayed delivery (XEP-0203)
  // ---------------------------------------------------------------------------------

  it('Delay: a message stored offline comes with a stamp (DateTime) from the server', async () => {
    const body = `offline ${Date.now().toString(36)}`
    const alice = await login('alice', 'ext-offline-sender')
    const heidi = jid(`heidi@${config().domain}`)
    const sentAt = Date.now()
    alice.send(Message.make({ to: heidi, type: 'chat', body }))
    // let the server store it before heidi logs in (a ping round trip orders it after the send)
    await first(rx.request(alice)(Iq.get(ext.Ping.encode({}), { to: server() })))

    const s = await login('heidi', 'ext-offline')
    const got = next(s, (x): x is Message.Message => Stanza.isMessage(x) && x.body === body)
    s.send(Presence.make()) // offline messages are delivered on initial presence
    const m = await got
    const d = O.toUndefined(ext.Delay.get(m))
    expect(d).toBeDefined()
    expect(ext.DateTime.is(d?.stamp)).toBe(true)
    const stamp = d === undefined ? Number.NaN : ext.DateTime.toDate(d.stamp).getTime()
    expect(Math.abs(stamp - sentAt)).toBeLessThan(60_000)
    expect(d?.from).toBe(config().domain)
    expect(E.isRight(ext.Delay.getEither(m))).toBe(true)
    expectLossless(ext.Delay, m.payload)
  })

  it('Delay: MUC history is stamped by the room', async () => {
    const frank = await login('frank', 'ext-history')
    const room = freshRoom('ext-history')
    await join(frank, room, 'Frank')
    const body = `history ${Date.now().toString(36)}`
    const echoed = next(frank, (x): x is Message.Message => Stanza.isMessage(x) && x.body === body)
    frank.send(Message.make({ to: room, type: 'groupchat', body }))
    await echoed

    const erin = await login('erin', 'ext-history')
    const history = first(
      erin.incoming.pipe(
        rx.withExtension(ext.Delay),
        filter(([s]) => Stanza.isMessage(s) && s.body === body),
      ),
    )
    await join(erin, room, 'Erin', { history: { maxstanzas: 5 } })
    const [m, d] = await history
    expect(m.from).toBe(`${room}/Frank`)
    expect(ext.DateTime.is(d.stamp)).toBe(true)
    expect(d.from).toBe(room)
    expectLossless(ext.Delay, m.payload)
  })

  it('MucJoin history maxstanzas 0: no delayed message before the subject', async () => {
    const frank = await login('frank', 'ext-no-history')
    const room = freshRoom('ext-no-history')
    await join(frank, room, 'Frank')
    const echoed = next(frank, (x): x is Message.Message => Stanza.isMessage(x) && x.body === 'old')
    frank.send(Message.make({ to: room, type: 'groupchat', body: 'old' }))
    await echoed

    const erin = await login('erin', 'ext-no-history')
    const delayed: Message.Message[] = []
    erin.incoming
      .pipe(
        rx.ofKind('message'),
        filter((m) => ext.Delay.has(m)),
      )
      .subscribe((m) => delayed.push(m))
    // XEP-0045 §7.2.3: self-presence, then the history, then the subject (always sent)
    const subject = next(
      erin,
      (x): x is Message.Message => Stanza.isMessage(x) && x.subject !== undefined,
    )
    await join(erin, room, 'Erin', { history: { maxstanzas: 0 } })
    await subject
    expect(delayed.filter((m) => m.body !== undefined)).toEqual([])
  })
})
