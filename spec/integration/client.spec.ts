/**
 * `connection.client` against a real Prosody with `mod_smacks`, through a fault proxy of our own
 * (`proxy.ts`): the fault tests of the client contract. Cuts at random points while 1,000
 * messages flow (each delivered exactly once, in order), IQs pending across a resumed cut, a
 * server restart, a stalled (half-open) link, a wrong password, and a trace without credentials.
 *
 * kate, leo and mia are this file's accounts (`.ci/prosody.sh`): their sessions, rosters and
 * offline queues are not shared with other specs.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, expect, it } from '@jest/globals'
import { filter, firstValueFrom, timeout as rxTimeout, take, toArray } from 'rxjs'
import {
  type Client,
  type ClientOptions,
  type ClientStatus,
  client,
} from '../../src/connection/client.js'
import { connect } from '../../src/connection/connect.js'
import type * as S from '../../src/connection/Session.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as rx from '../../src/rx/index.js'
import * as Xml from '../../src/Xml.js'
import { dnsServer } from '../connection/helpers/dnsServer.js'
import { type FaultProxy, faultProxy } from './proxy.js'
import { config, describeIntegration } from './setup.js'

const NS_PING = 'urn:xmpp:ping'

const clients: Client[] = []
const proxies: FaultProxy[] = []
const sessions: S.Session[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(sessions.splice(0).map((s) => s.close()))
  await Promise.all(proxies.splice(0).map((p) => p.close()))
})

const proxy = async (): Promise<FaultProxy> => {
  const p = await faultProxy(config().c2s)
  proxies.push(p)
  return p
}

/** A client of `username`, through `via` when given; fast reconnects for the tests. */
const start = (
  username: string,
  resource: string,
  via: FaultProxy | undefined,
  extra: Partial<ClientOptions> = {},
): Client => {
  const c = config()
  const account = c.user(username)
  const cl = client({
    service: via === undefined ? c.c2s.service : `xmpp://127.0.0.1:${via.port}`,
    domain: c.domain,
    username: account.username,
    password: account.password,
    resource,
    tls: 'none',
    timeout: 5_000,
    reconnect: { initialDelay: 20, maxDelay: 200 },
    ...extra,
  })
  clients.push(cl)
  return cl
}

const statusIs =
  <T extends ClientStatus['_tag']>(...tags: ReadonlyArray<T>) =>
  (s: ClientStatus): s is Extract<ClientStatus, { _tag: T }> =>
    (tags as ReadonlyArray<string>).includes(s._tag)

const until = <T extends ClientStatus['_tag']>(
  cl: Client,
  ms: number,
  ...tags: ReadonlyArray<T>
): Promise<Extract<ClientStatus, { _tag: T }>> =>
  firstValueFrom(cl.status.pipe(filter(statusIs(...tags)), rxTimeout(ms)))

const online = (cl: Client): Promise<unknown> => until(cl, 10_000, 'Online', 'Resumed')

/** Online with stream management enabled (`<enabled/>` received): cuts from now on resume. */
const resumable = async (cl: Client): Promise<void> => {
  await online(cl)
  for (let i = 0; i < 200 && cl.smState() === undefined; i++) await sleep(10)
  expect(cl.smState()).toBeDefined()
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const ping = (to: Jid.Jid): Iq.Request => Iq.get(Xml.element('ping', NS_PING), { to })

describeIntegration('connection.client: faults against Prosody with mod_smacks', () => {
  it('1,000 messages while both links are cut 5 times at random points: each delivered exactly once, in order', async () => {
    const up = await proxy()
    const down = await proxy()
    const reconnect = { initialDelay: 100, maxDelay: 500 }
    const sender = start('kate', 'burst', up, { reconnect })
    const receiver = start('leo', 'sink', down, { reconnect })
    await Promise.all([resumable(sender), resumable(receiver)])
    const to = receiver.jid as Jid.Jid
    const all = firstValueFrom(
      receiver.incoming.pipe(
        filter((s): s is Message.Message => s.kind === 'message' && s.body !== undefined),
        take(1_000),
        toArray(),
        rxTimeout(60_000),
      ),
    )
    const resumed = { sender: 0, receiver: 0 }
    const fresh = { sender: 0, receiver: 0 }
    sender.status.subscribe((s) => {
      if (s._tag === 'Resumed') resumed.sender++
      if (s._tag === 'Online') fresh.sender++
    })
    receiver.status.subscribe((s) => {
      if (s._tag === 'Resumed') resumed.receiver++
      if (s._tag === 'Online') fresh.receiver++
    })
    // Five cuts on each link at random points: the receiver's anywhere in what the server sends
    // (mid-element as often as not); the sender's between two of its elements, with the network
    // down for 300 ms after it, so that Prosody has read all the dead connection held before
    // the client resumes (docs/prosody.md, gotcha 11).
    const cuts = new Set<number>()
    while (cuts.size < 5) cuts.add(50 + Math.floor(Math.random() * 900))
    for (let i = 0; i < 1_000; i++) {
      if (cuts.has(i)) {
        void up.cutBetweenElements('up').then(() => up.refuse(300))
        void down.cutAfterBytes(Math.floor(Math.random() * 400), 'down')
      }
      sender.send(Message.make({ to, type: 'chat', body: String(i) }))
      if (i % 20 === 0) await sleep(5)
    }
    const bodies = (await all).map((m) => m.body ?? '')
    const expected = Array.from({ length: 1_000 }, (_, i) => String(i))
    expect(bodies).toEqual(expected) // none lost, none duplicated, in order
    expect(resumed.sender).toBeGreaterThanOrEqual(1)
    expect(resumed.receiver).toBeGreaterThanOrEqual(1)
    // Every link came back by resumption (the status replays the first Online only).
    expect(fresh).toEqual({ sender: 1, receiver: 1 })
    // Nothing more arrives: a late duplicate would show here.
    const extra: string[] = []
    const sub = receiver.incoming.subscribe((s) => {
      if (s.kind === 'message' && s.body !== undefined) extra.push(s.body)
    })
    await sleep(500)
    sub.unsubscribe()
    expect(extra).toEqual([])
  }, 90_000)

  it('100 IQs pending across a resumed cut are all answered', async () => {
    const p = await proxy()
    const cl = start('kate', 'iqs', p)
    await resumable(cl)
    const server = Jid.domain(cl.jid as Jid.Jid)
    // Stall first, so the requests are written into a link that never delivers them.
    p.stall()
    const answers = Promise.all(
      Array.from({ length: 100 }, () =>
        rx.request(cl, { timeout: 20_000 })(ping(server)).pipe(take(1)),
      ).map((o) => firstValueFrom(o)),
    )
    await sleep(200)
    const resumed = until(cl, 10_000, 'Resumed')
    p.cut() // what the stalled link held is lost with it
    p.resume() // new connections go through
    await resumed
    const results = await answers
    expect(results).toHaveLength(100)
    expect(results.every((r) => r.type === 'result')).toBe(true)
  }, 30_000)

  it('a stalled link is detected within keepalive interval + timeout, and the client resumes', async () => {
    const p = await proxy()
    const cl = start('mia', 'stall', p, { keepalive: { interval: 400, timeout: 400 } })
    await resumable(cl)
    await sleep(100)
    const t0 = Date.now()
    const lost = until(cl, 5_000, 'Reconnecting')
    p.stall()
    const r = await lost
    const detected = Date.now() - t0
    expect(r.reason._tag).toBe('Timeout')
    expect(detected).toBeLessThanOrEqual(800 + 250)
    p.resume()
    await until(cl, 10_000, 'Resumed')
  }, 20_000)

  it('a wrong password: Closed with AuthFailure, no retry', async () => {
    const p = await proxy()
    const c = config()
    const cl = client({
      service: `xmpp://127.0.0.1:${p.port}`,
      domain: c.domain,
      username: 'kate',
      password: 'not-kates-password',
      tls: 'none',
      timeout: 5_000,
      reconnect: { initialDelay: 1, maxDelay: 1 },
    })
    clients.push(cl)
    const seen = firstValueFrom(cl.status.pipe(toArray(), rxTimeout(10_000)))
    const tags = (await seen).map((s) => s._tag)
    expect(tags).toEqual(['Connecting', 'Closed'])
    const last = await firstValueFrom(cl.status.pipe(filter(statusIs('Closed'))), {
      defaultValue: undefined,
    })
    expect(last === undefined || last.reason._tag === 'AuthFailure').toBe(true)
    await sleep(200)
    expect(p.accepted).toBe(1)
  }, 20_000)

  it('trace shows every element, never the password', async () => {
    const c = config()
    const account = c.user('mia')
    const lines: Array<{ direction: string; xml: string }> = []
    const cl = start('mia', 'trace', undefined, {
      mechanisms: ['PLAIN'],
      allowPlainWithoutTls: true,
      trace: (e) => lines.push(e),
    })
    await online(cl)
    await cl.close()
    const text = lines.map((l) => l.xml).join('\n')
    const plain = Buffer.from(`\0${account.username}\0${account.password}`).toString('base64')
    expect(text).not.toContain(account.password)
    expect(text).not.toContain(plain)
    expect(text).toContain('[redacted]')
    expect(lines.some((l) => l.direction === 'out' && l.xml.includes('<stream:stream'))).toBe(true)
    expect(lines.some((l) => l.direction === 'in' && l.xml.startsWith('<stream:features'))).toBe(
      true,
    )
    expect(lines.some((l) => l.direction === 'out' && l.xml.startsWith('<enable'))).toBe(true)
    expect(lines.at(-1)?.xml).toBe('</stream:stream>')
  }, 20_000)

  it('a server restart: the client binds again and its handlers still answer', async () => {
    const svc = start('mia', 'svc', undefined, {
      reconnect: { initialDelay: 100, maxDelay: 500 },
      keepalive: { interval: 1_000, timeout: 1_000 },
    })
    rx.serve(svc, [{ name: 'ping', ns: NS_PING, handle: Iq.reply() }])
    await online(svc)
    const target = svc.jid as Jid.Jid
    const lost = until(svc, 10_000, 'Reconnecting')
    await promisify(execFile)('bash', ['.ci/prosody.sh', 'restart'], { env: process.env })
    await lost
    await until(svc, 20_000, 'Online')
    const c = config()
    const kate = c.user('kate')
    const s = await connect({
      service: c.c2s.service,
      domain: c.domain,
      username: kate.username,
      password: kate.password,
      tls: 'none',
      timeout: 5_000,
    })
    sessions.push(s)
    const pong = await firstValueFrom(rx.request(s, { timeout: 5_000 })(ping(target)))
    expect(pong.type).toBe('result')
    expect(svc.jid).toEqual(target)
  }, 60_000)

  const directTls = process.env.XMPP_DIRECT_TLS_SERVICE
  const itTls = directTls === undefined || directTls === '' ? it.skip : it

  itTls(
    'finds the server by SRV (XEP-0368): direct TLS (SNI, certificate of the domain) before STARTTLS',
    async () => {
      const c = config()
      const tlsPort = Number(new URL(directTls as string).port)
      const dns = await dnsServer({
        srv: {
          '_xmpps-client._tcp.localhost': [
            { priority: 0, weight: 0, port: tlsPort, target: 'localhost' },
          ],
          '_xmpp-client._tcp.localhost': [
            { priority: 10, weight: 0, port: c.c2s.port, target: 'localhost' },
          ],
        },
      })
      try {
        const lines: string[] = []
        const account = c.user('leo')
        const cl = client({
          domain: c.domain,
          dns: [dns.address],
          username: account.username,
          password: account.password,
          resource: 'srv',
          tls: 'required',
          ca: c.ca,
          timeout: 5_000,
          trace: (e) => lines.push(e.xml),
        })
        clients.push(cl)
        await online(cl)
        expect(dns.queries).toEqual(
          expect.arrayContaining([
            '_xmpps-client._tcp.localhost/33',
            '_xmpp-client._tcp.localhost/33',
          ]),
        )
        expect(lines.some((l) => l.startsWith('<starttls'))).toBe(false) // TLS from the first byte
        await cl.close()
      } finally {
        await dns.close()
      }
    },
    20_000,
  )

  it('finds the server by SRV: only _xmpp-client, so STARTTLS', async () => {
    const c = config()
    const dns = await dnsServer({
      srv: {
        '_xmpp-client._tcp.localhost': [
          { priority: 0, weight: 0, port: c.c2s.port, target: 'localhost' },
        ],
      },
    })
    try {
      const lines: string[] = []
      const account = c.user('leo')
      const s = await connect({
        domain: c.domain,
        dns: [dns.address],
        username: account.username,
        password: account.password,
        resource: 'srv2',
        tls: 'required',
        ca: c.ca,
        timeout: 5_000,
        trace: (e) => lines.push(e.xml),
      })
      sessions.push(s)
      expect(lines.some((l) => l.startsWith('<starttls'))).toBe(true)
    } finally {
      await dns.close()
    }
  }, 20_000)
})
