/**
 * `examples/bot.ts` — the bot itself, not a copy: its exported `start(session, options)` runs
 * (1) over an in-memory stream, where every stanza it sends is seen, and (2) against Prosody
 * (`npm run test:integration`) with a second account driving it: ping, disco#info, version,
 * chat echo, `/whoami`, a subscription request, a mention in a room.
 *
 * Accounts (fresh ones, so no other spec shares their rosters): ivan is the bot, judy drives it.
 * Also checks the line count the bot's header states (docs/extensions.md: the goal is ≤ 30).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as O from 'fp-ts/lib/Option.js'
import { filter, firstValueFrom, type Observable, Subject, timeout } from 'rxjs'
import { start } from '../../examples/bot.js'
import { connect } from '../../src/connection/connect.js'
import type * as S from '../../src/connection/Session.js'
import * as ext from '../../src/ext/index.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import * as rx from '../../src/rx/index.js'
import * as Stanza from '../../src/Stanza.js'
import { jid } from '../helpers.js'
import { config, describeIntegration } from './setup.js'

const WAIT = 4000

/** The first value of `o` within `WAIT` ms: call it before sending what it waits for. */
const first = <A>(o: Observable<A>): Promise<A> => firstValueFrom(o.pipe(timeout(WAIT)))

// -------------------------------------------------------------------------------------
// the file
// -------------------------------------------------------------------------------------

/** Non-blank lines that are not comments (`//`, or inside a `/** … *\/` block). */
const codeLines = (source: string): number =>
  source.split('\n').filter((l) => {
    const t = l.trim()
    return t !== '' && !t.startsWith('//') && !t.startsWith('/*') && !t.startsWith('*')
  }).length

describe('examples/bot.ts', () => {
  const source = readFileSync(resolve(__dirname, '..', '..', 'examples', 'bot.ts'), 'utf8')

  it('its header states its line count', () => {
    const stated = /^\/\/ (\d+) lines of code/.exec(source)?.[1]
    expect(Number(stated)).toBe(codeLines(source))
  })

  it('has no hand-written XML and no casts', () => {
    expect(source).not.toMatch(/Xml\.element|<[a-z]+[ >/]|\bas\s+[A-Z{]|\bas unknown\b/)
  })

  it('is at most 30 lines of code (the same bot on the stanza library: 31)', () => {
    expect(codeLines(source)).toBeLessThanOrEqual(30)
  })
})

// -------------------------------------------------------------------------------------
// in memory: every stanza the bot sends
// -------------------------------------------------------------------------------------

describe('examples/bot.ts start (in memory)', () => {
  const me = jid('bot@example.com/res')
  const room = 'room@muc.example.com'
  const self = jid(`${room}/bot`)
  const peer = jid(`${room}/alice`)

  // The bot logs its roster fetch's failure; here every stream ends with IqClosed.
  const streams: Subject<Stanza.Stanza>[] = []
  beforeAll(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined)
    jest.spyOn(console, 'log').mockImplementation(() => undefined)
  })
  afterEach(() => {
    for (const s of streams.splice(0)) s.complete()
  })
  afterAll(() => {
    jest.restoreAllMocks()
  })

  const run = () => {
    const incoming = new Subject<Stanza.Stanza>()
    streams.push(incoming)
    const sent: Stanza.Stanza[] = []
    start({ incoming, send: (s) => sent.push(s), jid: me }, { room, nick: 'bot' })
    return { incoming, sent }
  }

  it('sends initial presence, then joins the room without history', () => {
    const { sent } = run()
    expect(sent).toHaveLength(3)
    const [fetch] = sent
    expect(fetch && Stanza.isIq(fetch) ? ext.Roster.get(fetch) : O.none).toEqual(
      O.some({ items: [] }),
    )
    expect(sent[1]).toEqual(Presence.make())
    const join = sent[2]
    expect(join && Stanza.isPresence(join) && join.to).toBe(self)
    expect(join && Stanza.isPresence(join) ? ext.MucJoin.get(join) : O.none).toEqual(
      O.some({ history: { maxstanzas: 0 } }),
    )
  })

  it('answers a live groupchat mention; ignores delayed ones, its own, and others', () => {
    const { incoming, sent } = run()
    sent.length = 0
    const groupchat = (from: Jid.Jid, body: string) =>
      Message.make({ from, to: me, type: 'groupchat', body })
    incoming.next(groupchat(peer, 'nothing for you'))
    incoming.next(groupchat(self, 'bot here'))
    incoming.next(
      ext.Delay.set({ stamp: ext.DateTime.fromDate(new Date(0)) })(groupchat(peer, 'old bot')),
    )
    expect(sent).toEqual([])
    incoming.next(groupchat(peer, 'hey bot'))
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ kind: 'message', type: 'groupchat', to: room })
  })

  it('approves a subscription request and subscribes back (RFC 6121 §3.1.3)', () => {
    const { incoming, sent } = run()
    sent.length = 0
    const from = jid('alice@example.com/x')
    incoming.next(Presence.make({ from, to: me, type: 'subscribe' }))
    expect(sent).toEqual([
      Presence.make({ to: from, type: 'subscribed' }),
      Presence.make({ to: from, type: 'subscribe' }),
    ])
  })

  it('acknowledges a roster push from its own account, and only that (RFC 6121 §2.1.6)', () => {
    const { incoming, sent } = run()
    sent.length = 0
    const item = { jid: jid('alice@example.com'), groups: [] }
    const push = (id: string, from?: Jid.Jid) =>
      Iq.set(ext.Roster.encode({ items: [item] }), { id, ...(from ? { from } : {}) })
    incoming.next(push('p1'))
    incoming.next(push('p2', jid('mallory@evil.example')))
    expect(sent).toEqual([Iq.make({ type: 'result', id: 'p1', payload: [] })])
  })

  it('never answers an error message, nor a chat message without a body', () => {
    const { incoming, sent } = run()
    sent.length = 0
    const from = jid('alice@example.com/x')
    incoming.next(Message.make({ from, to: me, type: 'error', body: 'bot' }))
    incoming.next(Message.make({ from, to: me, type: 'chat' }))
    incoming.next(Message.make({ from, to: me, type: 'headline', body: 'bot' }))
    expect(sent).toEqual([])
  })
})

// -------------------------------------------------------------------------------------
// live
// -------------------------------------------------------------------------------------

describeIntegration('integration: examples/bot.ts against Prosody', () => {
  let bot: S.Session
  let driver: S.Session
  let room: string

  const login = (username: string, resource: string): Promise<S.Session> => {
    const c = config()
    const account = c.user(username)
    return connect({
      service: c.c2s.service,
      domain: c.domain,
      username: account.username,
      password: account.password,
      resource,
      tls: 'none',
      timeout: WAIT,
    })
  }

  /**
   * Forgets `contact`, so that runs start clean: declines a pending request of theirs (RFC 6121
   * §3.2: removing the roster item does not, and the server delivers no second request while one
   * is pending), then removes the item (which also ends the subscriptions, §2.5.2).
   */
  const forget = (s: S.Session, contact: Jid.Jid): Promise<unknown> => {
    s.send(Presence.make({ to: contact, type: 'unsubscribed' }))
    return first(
      rx.request(s)(
        Iq.set(
          ext.Roster.encode({ items: [{ jid: contact, subscription: 'remove', groups: [] }] }),
        ),
      ),
    ).catch(() => undefined) // item-not-found when it was not there
  }

  /** The next stanza from the bot's full JID (or, with `from`, from that address). */
  const fromBot = <A extends Stanza.Stanza>(p: (x: Stanza.Stanza) => x is A, from?: string) =>
    first(driver.incoming.pipe(filter((x): x is A => p(x) && x.from === (from ?? bot.jid))))

  beforeAll(async () => {
    const c = config()
    room = `bot-${Date.now().toString(36)}@${c.mucDomain}`
    ;[bot, driver] = await Promise.all([login('ivan', 'bot'), login('judy', 'driver')])
    await Promise.all([forget(bot, Jid.bare(driver.jid)), forget(driver, Jid.bare(bot.jid))])
    const joined = first(
      bot.incoming.pipe(
        rx.ofKind('presence'),
        filter((p) => ext.isMucSelfPresence(p)),
      ),
    )
    start(bot, { room, nick: 'bot' })
    await joined
    // RFC 6121 §2.1.6, §3.1.6: `subscribed` (and roster pushes) reach only interested resources,
    // those that have requested the roster; and the driver must be available
    rx.serve(driver, [rx.handle(ext.Roster, 'set', () => null)])
    await first(rx.query(driver)(ext.Roster, Iq.get(ext.Roster.encode({ items: [] }))))
    const own = first(driver.incoming.pipe(rx.ofKind('presence')))
    driver.send(Presence.make())
    await own
  })

  afterAll(async () => {
    await Promise.all([bot, driver].filter((s) => s !== undefined).map((s) => s.close()))
  })

  it('ping → an empty result', async () => {
    const r = await first(rx.request(driver)(Iq.get(ext.Ping.encode({}), { to: bot.jid })))
    expect(r).toMatchObject({ type: 'result', from: bot.jid, payload: [] })
  })

  it('disco#info → client/bot identity and the features of the extensions it uses', async () => {
    const info = await first(
      rx.query(driver)(
        ext.DiscoInfo,
        Iq.get(ext.DiscoInfo.encode({ identities: [], features: [], extensions: [] }), {
          to: bot.jid,
        }),
      ),
    )
    expect(info.identities).toEqual([{ category: 'client', type: 'bot' }])
    expect(info.features).toEqual([
      'http://jabber.org/protocol/disco#info',
      ext.Ping.feature,
      ext.Version.feature,
      ext.MucJoin.feature,
    ])
  })

  it('version → its name', async () => {
    const v = await first(
      rx.query(driver)(ext.Version, Iq.get(ext.Version.encode({}), { to: bot.jid })),
    )
    expect(v).toEqual({ name: 'stanzakit-bot', version: '1.0' })
  })

  it('an unknown IQ → an error reply (rx.serve answers every get/set)', async () => {
    const e = await first(
      rx.request(driver)(Iq.get(ext.Roster.encode({ items: [] }), { to: bot.jid })),
    ).then(
      () => undefined,
      (x: unknown) => x,
    )
    expect(rx.isIqError(e)).toBe(true)
  })

  it('chat → the same body back', async () => {
    const echo = fromBot(Stanza.isMessage)
    driver.send(Message.make({ to: bot.jid, type: 'chat', body: 'hello, bot' }))
    const m = await echo
    expect(m).toMatchObject({ type: 'chat', to: driver.jid, body: 'hello, bot' })
  })

  it('/whoami → the driver’s full JID', async () => {
    const answer = fromBot(Stanza.isMessage)
    driver.send(Message.make({ to: bot.jid, type: 'chat', body: '/whoami' }))
    expect(Message.getBody(await answer)).toEqual(O.some(driver.jid))
  })

  it('subscription request → subscribed, and a subscribe back (not in its roster)', async () => {
    const botBare = Jid.bare(bot.jid)
    const subscribed = fromBot(
      (x): x is Presence.Presence => Stanza.isPresence(x) && x.type === 'subscribed',
      botBare,
    )
    const back = fromBot(
      (x): x is Presence.Presence => Stanza.isPresence(x) && x.type === 'subscribe',
      botBare,
    )
    driver.send(Presence.make({ to: botBare, type: 'subscribe' }))
    expect(await subscribed).toMatchObject({ kind: 'presence', type: 'subscribed' })
    expect(await back).toMatchObject({ kind: 'presence', type: 'subscribe' })
    // the driver's roster now has the bot, subscription 'to' (RFC 6121 §3.1.6)
    const roster = await first(
      rx.query(driver)(ext.Roster, Iq.get(ext.Roster.encode({ items: [] }))),
    )
    expect(roster.items.find((i) => i.jid === botBare)).toMatchObject({ subscription: 'to' })
  })

  it('a mention in the room → a reply in the room; no reply without one', async () => {
    const joined = first(
      driver.incoming.pipe(
        rx.ofKind('presence'),
        filter((p) => ext.isMucSelfPresence(p)),
      ),
    )
    driver.send(
      ext.MucJoin.set({ history: { maxstanzas: 0 } })(Presence.make({ to: jid(`${room}/driver`) })),
    )
    await joined
    const reply = fromBot(
      (x): x is Message.Message => Stanza.isMessage(x) && x.type === 'groupchat',
      `${room}/bot`,
    )
    driver.send(Message.make({ to: jid(room), type: 'groupchat', body: 'nobody here?' }))
    driver.send(Message.make({ to: jid(room), type: 'groupchat', body: 'are you there, bot?' }))
    const m = await reply
    // the first reply answers the mention: the plain message got none
    expect(Message.getBody(m)).toEqual(O.some(`at your service (${room}/driver)`))
    expect(ext.Delay.has(m)).toBe(false)
  })
})
