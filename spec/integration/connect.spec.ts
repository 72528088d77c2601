/**
 * `connection.connect` against a real Prosody (`npm run test:integration`; docs/prosody.md): login
 * with SCRAM and with PLAIN over STARTTLS, typed failures, and the everyday traffic of a client
 * (ping, disco, roster, messages, presence, MUC, errors, a server-side close).
 *
 * Each test uses its own account/resource pair, so the tests do not see each other's traffic.
 */
import { afterEach, expect, it } from '@jest/globals'
import * as O from 'fp-ts/lib/Option.js'
import { filter, firstValueFrom, lastValueFrom, NEVER, timeout } from 'rxjs'
import { type ConnectOptions, connect } from '../../src/connection/connect.js'
import * as S from '../../src/connection/Session.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import * as rx from '../../src/rx/index.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { jid } from '../helpers.js'
import { config, describeIntegration } from './setup.js'

const NS_PING = 'urn:xmpp:ping'
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
const NS_ROSTER = 'jabber:iq:roster'
const NS_MUC = 'http://jabber.org/protocol/muc'
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'

const sessions: S.Session[] = []
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()))
})

/** Logs `username` in on plain TCP with SCRAM (what Prosody offers), remembering the session. */
const login = async (
  username: string,
  resource: string,
  extra: Partial<ConnectOptions> = {},
): Promise<S.Session> => {
  const c = config()
  const account = c.user(username)
  const session = await connect({
    service: c.c2s.service,
    domain: c.domain,
    username: account.username,
    password: account.password,
    resource,
    tls: 'none',
    timeout: 5000,
    ...extra,
  })
  sessions.push(session)
  return session
}

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )

const el = Xml.element
const server = (): Jid.Jid => jid(config().domain)

/** The first incoming stanza matching `p`, within 3 s. */
const next = <A extends Stanza.Stanza>(s: S.Session, p: (x: Stanza.Stanza) => x is A): Promise<A> =>
  firstValueFrom(s.incoming.pipe(filter(p), timeout(3000)))

describeIntegration('integration: connection.connect (Prosody)', () => {
  // ---------------------------------------------------------------------------------
  // login
  // ---------------------------------------------------------------------------------

  it('SCRAM-SHA-1 login on plain TCP: bound full JID, status online', async () => {
    const s = await login('alice', 'scram', { mechanisms: ['SCRAM-SHA-1'] })
    expect(s.jid).toBe(`alice@${config().domain}/scram`)
    const seen: string[] = []
    s.status.subscribe((x) => seen.push(x._tag))
    expect(seen).toEqual(['Connecting', 'Online'])
  })

  it('without a mechanism restriction the strongest offered wins (SCRAM-SHA-1 over PLAIN)', async () => {
    // PLAIN is never chosen on plain TCP without allowPlainWithoutTls; login succeeds anyway.
    const s = await login('alice', 'default')
    expect(Jid.resource(s.jid)).toEqual(O.some('default'))
  })

  it('PLAIN over STARTTLS, trusting the self-signed certificate', async () => {
    const s = await login('bob', 'plain-tls', {
      tls: 'required',
      ca: config().ca,
      mechanisms: ['PLAIN'],
    })
    expect(s.jid).toBe(`bob@${config().domain}/plain-tls`)
    const pong = await rx.send(s)(Iq.get(el('ping', NS_PING), { to: server() }))
    expect(pong?.type).toBe('result')
  })

  it('STARTTLS without trusting the certificate: TlsFailure', async () => {
    const e = await rejection(login('bob', 'untrusted', { tls: 'required' }))
    expect(S.isTlsFailure(e)).toBe(true)
  })

  it('PLAIN on plain TCP is refused by the client unless allowed', async () => {
    const e = await rejection(login('bob', 'plain-tcp', { mechanisms: ['PLAIN'] }))
    expect(S.isAuthFailure(e) && e.condition).toBe('invalid-mechanism')
    const s = await login('bob', 'plain-tcp', { mechanisms: ['PLAIN'], allowPlainWithoutTls: true })
    expect(Jid.resource(s.jid)).toEqual(O.some('plain-tcp'))
  })

  it('wrong password: AuthFailure not-authorized (SCRAM and PLAIN)', async () => {
    const scram = await rejection(login('carol', 'x', { password: 'wrong' }))
    expect(S.isAuthFailure(scram) && scram.condition).toBe('not-authorized')
    const plain = await rejection(
      login('carol', 'x', {
        password: 'wrong',
        tls: 'required',
        ca: config().ca,
        mechanisms: ['PLAIN'],
      }),
    )
    expect(S.isAuthFailure(plain) && plain.condition).toBe('not-authorized')
  })

  // ---------------------------------------------------------------------------------
  // IQ
  // ---------------------------------------------------------------------------------

  it('ping the server (XEP-0199)', async () => {
    const s = await login('alice', 'ping')
    const r = await firstValueFrom(rx.request(s)(Iq.get(el('ping', NS_PING), { to: server() })))
    expect(r).toMatchObject({ kind: 'iq', type: 'result' })
  })

  it('disco#info to the server: identity and features', async () => {
    const s = await login('alice', 'disco')
    const r = await rx.send(s)(Iq.get(el('query', NS_DISCO_INFO), { to: server() }))
    const query = r?.payload.find((p) => p.name === 'query' && p.ns === NS_DISCO_INFO)
    expect(query).toBeDefined()
    const kids = (query?.children ?? []).filter(Xml.isElement)
    expect(kids.some((k) => k.name === 'identity' && k.attrs.category === 'server')).toBe(true)
    const features = kids.filter((k) => k.name === 'feature').map((k) => k.attrs.var)
    expect(features).toEqual(expect.arrayContaining([NS_PING, NS_DISCO_INFO]))
  })

  it('roster get, then a roster push for an item we set', async () => {
    const s = await login('dave', 'roster')
    // Roster pushes come from our bare JID or without from: answer them (RFC 6121 §2.1.6).
    rx.serve(s, [
      {
        name: 'query',
        ns: NS_ROSTER,
        type: 'set',
        handle: (req: Iq.Request) => Iq.result(req),
      },
    ])
    const roster = await rx.send(s)(Iq.get(el('query', NS_ROSTER)))
    expect(roster?.type).toBe('result')
    expect(roster?.payload[0]).toMatchObject({ name: 'query', ns: NS_ROSTER })

    const contact = `frank@${config().domain}`
    const push = next(
      s,
      (x): x is Iq.Iq =>
        Stanza.isIq(x) &&
        x.type === 'set' &&
        x.payload[0]?.ns === NS_ROSTER &&
        JSON.stringify(x.payload[0]).includes(contact),
    )
    const set = await rx.send(s)(
      Iq.set(el('query', NS_ROSTER, {}, [el('item', NS_ROSTER, { jid: contact, name: 'Frank' })])),
    )
    expect(set?.type).toBe('result')
    const p = await push
    expect(p.from === undefined || p.from === Jid.bare(s.jid)).toBe(true)
    const item = p.payload[0]?.children.find(Xml.isElement)
    expect(item?.attrs).toMatchObject({ jid: contact, name: 'Frank', subscription: 'none' })
    // clean up: remove the item again
    await rx.send(s)(
      Iq.set(
        el('query', NS_ROSTER, {}, [
          el('item', NS_ROSTER, { jid: contact, subscription: 'remove' }),
        ]),
      ),
    )
  })

  it('an unknown-namespace IQ to the server: IqError service-unavailable (docs/prosody.md gotcha 6)', async () => {
    const s = await login('alice', 'unknown-ns')
    const e = await rejection(
      rx.send(s)(Iq.get(el('query', 'urn:example:nothing-here'), { to: server() })),
    )
    expect(rx.isIqError(e) && e.error.condition).toBe('service-unavailable')
  })

  it('an IQ to an offline full JID: IqError service-unavailable (RFC 6121 §8.5.3.1)', async () => {
    const s = await login('alice', 'offline-iq')
    const e = await rejection(
      rx.send(s)(Iq.get(el('ping', NS_PING), { to: jid(`erin@${config().domain}/nobody-here`) })),
    )
    expect(rx.isIqError(e) && e.error.condition).toBe('service-unavailable')
  })

  // ---------------------------------------------------------------------------------
  // messages and presence
  // ---------------------------------------------------------------------------------

  it('message to our own bare JID comes back (without `to`, docs/prosody.md gotcha 7)', async () => {
    const s = await login('erin', 'self-message')
    // Prosody delivers to bare JIDs only to available resources with a non-negative priority.
    s.send(Presence.make())
    await next(s, Stanza.isPresence)
    const got = next(s, Stanza.isMessage)
    s.send(Message.make({ to: Jid.bare(s.jid), type: 'chat', body: 'note to self' }))
    const m = await got
    expect(Message.getBody(m)).toEqual(O.some('note to self'))
    expect(m.from).toBe(s.jid)
    expect(m.to).toBeUndefined()
  })

  it('presence broadcast: our own available presence comes back', async () => {
    const s = await login('erin', 'self-presence')
    const got = next(s, Stanza.isPresence)
    s.send(Presence.make({ show: 'away', status: 'testing' }))
    const p = await got
    expect(p.from).toBe(s.jid)
    expect(Presence.getType(p)).toBe('away')
    expect(Presence.getStatus(p)).toEqual(O.some('testing'))
  })

  it('MUC: join, groupchat message, getMucRoom/getMucNick on what the room sends', async () => {
    const s = await login('frank', 'muc')
    const room = jid(`spec-room-${Date.now().toString(36)}@${config().mucDomain}`)
    const occupant = jid(`${room}/Frank`)
    const joined = next(
      s,
      (x): x is Presence.Presence =>
        Stanza.isPresence(x) &&
        x.from === occupant &&
        JSON.stringify(x.payload).includes(NS_MUC_USER) &&
        JSON.stringify(x.payload).includes('"110"'),
    )
    s.send(Presence.make({ to: occupant, payload: [el('x', NS_MUC)] }))
    await joined
    const echoed = next(
      s,
      (x): x is Message.Message =>
        Stanza.isMessage(x) && x.type === 'groupchat' && x.body === 'hello room',
    )
    s.send(Message.make({ to: room, type: 'groupchat', body: 'hello room' }))
    const m = await echoed
    expect(Message.getMucRoom(m)).toEqual(O.some(room))
    expect(Message.getMucNick(m)).toEqual(O.some('Frank'))
  })

  // ---------------------------------------------------------------------------------
  // the server ends the session
  // ---------------------------------------------------------------------------------

  it('same resource twice: the first is kicked (conflict), its pending request fails with IqClosed', async () => {
    const peer = await login('carol', 'silent') // receives IQs, never answers
    rx.serve(peer, [{ handle: () => NEVER }]) // else the session would answer (RFC 6120 §8.4)
    const first = await login('dave', 'twice')
    const arrived = next(peer, Stanza.isIq)
    const pending = rejection(
      rx.send(first)(Iq.get(el('ping', NS_PING), { to: peer.jid }), { timeout: 10_000 }),
    )
    // let the request reach its target before the second login
    await arrived
    const second = await login('dave', 'twice')
    expect(second.jid).toBe(first.jid)
    const t0 = Date.now()
    expect(rx.isIqClosed(await pending)).toBe(true)
    expect(Date.now() - t0).toBeLessThan(3000)
    const last = await lastValueFrom(first.status)
    expect(last).toEqual({
      _tag: 'Closed',
      reason: expect.objectContaining({
        _tag: 'StreamError',
        condition: 'conflict',
        origin: 'server',
      }),
    })
    // the second session is fine
    const pong = await rx.send(second)(Iq.get(el('ping', NS_PING), { to: server() }))
    expect(pong?.type).toBe('result')
  })

  it('close(): ends the stream on both sides; incoming completes', async () => {
    const s = await login('alice', 'close')
    const completed = lastValueFrom(s.incoming, { defaultValue: undefined })
    await s.close()
    await completed
    const last = await lastValueFrom(s.status)
    expect(last).toEqual({ _tag: 'Closed', reason: { _tag: 'Ended' } })
  })

  // ---------------------------------------------------------------------------------
  // every get/set is answered exactly once (RFC 6120 §8.2.3, §8.4)
  // ---------------------------------------------------------------------------------

  it('an IQ from another account to a session with no rx.serve: service-unavailable from that session', async () => {
    const target = await login('erin', 'no-serve')
    const asker = await login('frank', 'asks-no-serve')
    const arrived = next(target, Stanza.isIq)
    const e = await rejection(
      rx.send(asker)(Iq.get(el('query', 'jabber:iq:version'), { to: target.jid }), {
        timeout: 5000,
      }),
    )
    expect((await arrived).type).toBe('get') // delivered: the answer is the session's
    expect(rx.isIqError(e) && e.error.condition).toBe('service-unavailable')
    expect(rx.isIqError(e) && e.response.from).toBe(target.jid)
  })
})
