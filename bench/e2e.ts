/**
 * End-to-end benchmark (issue 6, docs/performance.md targets): IQ ping round trips to a real Prosody over
 * loopback, stanzakit against @xmpp/client 0.14.0 and a raw-socket client, in the same run.
 *
 *   npm run server:start && set -a && . .it/env && set +a
 *   npm run bench:e2e
 *
 * Workload: 10,000 pings (`<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>` to the server's
 * domain) with 100 in flight: each response starts the next request until all are answered.
 * One op = the whole 10,000; reported as pings/s. Every client logs in once (its own account),
 * then the rounds interleave the clients (starting client rotated per round, docs/performance.md "Method");
 * medians over rounds, ratios as the median of per-round (paired) ratios.
 *
 *   stanzakit      connection.connect (plain TCP on loopback, SCRAM-SHA-1, TCP_NODELAY, no
 *                  stream management), `rx.request` per ping: 128-bit random ids, sender
 *                  checks, a 30 s timeout each; stanzas decoded to records and encoded back.
 *   @xmpp/client   0.14.0 with its defaults: SCRAM-SHA-1 and stream management (XEP-0198, so
 *                  Prosody sends `<r/>` after each stanza and the client answers `<a/>`);
 *                  TCP_NODELAY set on its socket (docs/prosody.md gotcha 2); `iqCaller.request`.
 *                  STARTTLS is taken out of the features it sees so that it runs on plain TCP
 *                  like the others (it would otherwise always upgrade).
 *   raw socket     PLAIN, no stream management, TCP_NODELAY; pings are string templates with
 *                  counter ids, responses matched by a regular expression on the id. The floor:
 *                  no parsing, no records, no checks.
 *
 * Environment: XMPP_SERVICE, XMPP_DOMAIN, XMPP_USERS (as printed by `.ci/prosody.sh start`);
 * BENCH_E2E_ROUNDS (7), BENCH_E2E_PINGS (10000), BENCH_E2E_INFLIGHT (100).
 * Targets: stanzakit ≥ 1.5× @xmpp/client and ≥ 0.8× the raw socket.
 */
import * as net from 'node:net'
import { connection, Iq, Jid, rx, Xml } from '../src/index.js'

// -------------------------------------------------------------------------------------
// configuration
// -------------------------------------------------------------------------------------

const env = process.env
const num = (name: string, fallback: number): number => {
  const v = env[name]
  const n = v === undefined || v === '' ? fallback : Number(v)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: expected an integer >= 1`)
  return n
}
const ROUNDS = num('BENCH_E2E_ROUNDS', 7)
const PINGS = num('BENCH_E2E_PINGS', 10_000)
const INFLIGHT = num('BENCH_E2E_INFLIGHT', 100)

const service = env.XMPP_SERVICE
const domain = env.XMPP_DOMAIN ?? 'localhost'
if (service === undefined || service === '') {
  console.error(
    'bench:e2e needs a server: npm run server:start && set -a && . .it/env && set +a && npm run bench:e2e',
  )
  process.exit(2)
}
const url = new URL(service)
const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
const port = url.port === '' ? 5222 : Number(url.port)
const accounts = (env.XMPP_USERS ?? '')
  .split(',')
  .filter((s) => s.includes(':'))
  .map((s) => ({ username: s.slice(0, s.indexOf(':')), password: s.slice(s.indexOf(':') + 1) }))
const account = (i: number): { readonly username: string; readonly password: string } => {
  const a = accounts[i]
  if (a === undefined) throw new Error(`XMPP_USERS needs at least ${i + 1} accounts`)
  return a
}

/** A client under test: `run(n, inflight)` resolves when n pings have been answered. */
interface Client {
  readonly name: string
  readonly run: (n: number, inflight: number) => Promise<void>
  readonly close: () => Promise<void>
}

// -------------------------------------------------------------------------------------
// stanzakit
// -------------------------------------------------------------------------------------

const stanzakit = async (): Promise<Client> => {
  const a = account(0)
  const session = await connection.connect({
    service,
    domain,
    username: a.username,
    password: a.password,
    resource: 'bench-stanzakit',
    tls: 'none',
  })
  const to = Jid.parse(domain)
  if (to._tag === 'Left') throw new Error(`not a domain: ${domain}`)
  const server = to.right
  const ping = Xml.element('ping', 'urn:xmpp:ping')
  const request = rx.request(session)
  // Hold one subscription so the dispatcher keeps listening between rounds.
  const hold = session.incoming.subscribe()
  return {
    name: 'stanzakit',
    run: (n, inflight) =>
      new Promise<void>((resolve, reject) => {
        let sent = 0
        let done = 0
        let failed = false
        const observer = {
          next: (): void => {
            done++
            if (done === n) resolve()
            else if (sent < n && !failed) one()
          },
          error: (e: unknown): void => {
            failed = true
            reject(e)
          },
        }
        const one = (): void => {
          sent++
          request(Iq.get(ping, { to: server })).subscribe(observer)
        }
        for (let i = 0; i < inflight && i < n; i++) one()
      }),
    close: async () => {
      hold.unsubscribe()
      await session.close()
    },
  }
}

// -------------------------------------------------------------------------------------
// @xmpp/client
// -------------------------------------------------------------------------------------

/** The slice of @xmpp/client 0.14 used here (it ships no types). */
interface LtxElement {
  readonly name: string
  readonly attrs: Record<string, string>
  children: Array<LtxElement | string>
  getChild(name: string, ns?: string): LtxElement | undefined
  remove(el: LtxElement): LtxElement
  is(name: string, ns?: string): boolean
}
interface XmppClient {
  start(): Promise<unknown>
  stop(): Promise<unknown>
  on(event: string, f: (...args: ReadonlyArray<unknown>) => void): unknown
  prependListener(event: string, f: (el: LtxElement) => void): unknown
  readonly socket: net.Socket | null
  readonly iqCaller: { request(el: LtxElement, timeout?: number): Promise<LtxElement> }
  readonly streamManagement: {
    readonly enabled: boolean
    readonly on: (e: string, f: () => void) => void
  }
}
interface XmppModule {
  client(options: Record<string, string>): XmppClient
  xml(
    name: string,
    attrs?: Record<string, string>,
    ...children: ReadonlyArray<LtxElement>
  ): LtxElement
}

const xmppClient = async (): Promise<Client> => {
  const specifier = '@xmpp/client'
  const { client, xml } = (await import(specifier)) as XmppModule
  const a = account(1)
  const xmpp = client({
    service: `xmpp://${host}:${port}`,
    domain,
    username: a.username,
    password: a.password,
    resource: 'bench-xmpp-client',
  })
  xmpp.on('error', () => undefined)
  // Plain TCP like the others: hide <starttls/> from its feature negotiation.
  xmpp.prependListener('element', (el) => {
    if (el.is('features', 'http://etherx.jabber.org/streams')) {
      const starttls = el.getChild('starttls', 'urn:ietf:params:xml:ns:xmpp-tls')
      if (starttls !== undefined) el.remove(starttls)
    }
  })
  xmpp.on('connect', () => xmpp.socket?.setNoDelay(true))
  await xmpp.start()
  xmpp.socket?.setNoDelay(true)
  // Stream management is enabled after the session is online; wait for <enabled/> before any
  // traffic (docs/prosody.md gotcha 3: 0.14.0 over-acks stanzas answered before it).
  for (let i = 0; i < 100 && !xmpp.streamManagement.enabled; i++)
    await new Promise((r) => setTimeout(r, 10))
  if (!xmpp.streamManagement.enabled) console.warn('@xmpp/client: stream management not enabled')
  return {
    name: '@xmpp/client',
    run: async (n, inflight) => {
      let sent = 0
      const worker = async (): Promise<void> => {
        while (sent < n) {
          sent++
          await xmpp.iqCaller.request(
            xml('iq', { type: 'get', to: domain }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
            30_000,
          )
        }
      }
      await Promise.all(Array.from({ length: Math.min(inflight, n) }, worker))
    },
    close: async () => {
      await xmpp.stop()
    },
  }
}

// -------------------------------------------------------------------------------------
// raw socket
// -------------------------------------------------------------------------------------

const rawSocket = async (): Promise<Client> => {
  const a = account(2)
  const socket = net.connect({ host, port })
  socket.setNoDelay(true)
  socket.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let buf = ''
  let onData: (() => void) | undefined
  socket.on('data', (d: string) => {
    buf += d
    onData?.()
  })
  const until = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`raw: timeout waiting for ${re}`)), 5000)
      const check = (): void => {
        const m = re.exec(buf)
        if (m === null) return
        buf = buf.slice(m.index + m[0].length)
        clearTimeout(t)
        onData = undefined
        resolve(m[0])
      }
      onData = check
      check()
    })
  const header = `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`
  socket.write(header)
  await until(/<\/stream:features>/)
  const plain = Buffer.from(`\0${a.username}\0${a.password}`).toString('base64')
  socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plain}</auth>`)
  const outcome = await until(/<success[^>]*(?:\/>|<\/success>)|<\/failure>/)
  if (!outcome.startsWith('<success')) throw new Error(`raw: login failed: ${outcome}`)
  socket.write(header)
  await until(/<\/stream:features>/)
  socket.write(
    "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bench-raw</resource></bind></iq>",
  )
  await until(/<\/iq>/)

  const idRe = /<iq\b[^>]*?\sid=['"]([^'"]*)['"]/g
  return {
    name: 'raw socket',
    run: (n, inflight) =>
      new Promise<void>((resolve) => {
        let sent = 0
        let done = 0
        const pending = new Set<string>()
        const send = (): void => {
          const id = `p${sent++}`
          pending.add(id)
          socket.write(
            `<iq type='get' id='${id}' to='${domain}'><ping xmlns='urn:xmpp:ping'/></iq>`,
          )
        }
        onData = () => {
          idRe.lastIndex = 0
          let last = 0
          for (let m = idRe.exec(buf); m !== null; m = idRe.exec(buf)) {
            const end = buf.indexOf('>', m.index + m[0].length)
            if (end < 0) break
            last = end + 1
            if (!pending.delete(m[1] ?? '')) continue
            done++
            if (sent < n) send()
          }
          buf = buf.slice(last)
          if (done === n) {
            onData = undefined
            resolve()
          }
        }
        for (let i = 0; i < inflight && i < n; i++) send()
      }),
    close: async () => {
      socket.end('</stream:stream>')
      await new Promise((r) => socket.once('close', r))
    },
  }
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

const main = async (): Promise<void> => {
  const clients = [await stanzakit(), await xmppClient(), await rawSocket()]
  console.log(
    `e2e: ${PINGS} pings, ${INFLIGHT} in flight, ${ROUNDS} rounds, Prosody at ${host}:${port}; Node ${process.version}`,
  )
  // warm-up: one short pass each
  for (const c of clients) await c.run(Math.min(PINGS, 2_000), INFLIGHT)
  const rates = new Map<string, number[]>(clients.map((c) => [c.name, []]))
  const cpu = new Map<string, number[]>(clients.map((c) => [c.name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const line: string[] = []
    for (let k = 0; k < clients.length; k++) {
      const c = clients[(r + k) % clients.length]
      if (c === undefined) continue
      const c0 = process.cpuUsage()
      const t0 = process.hrtime.bigint()
      await c.run(PINGS, INFLIGHT)
      const s = Number(process.hrtime.bigint() - t0) / 1e9
      const used = process.cpuUsage(c0)
      const rate = PINGS / s
      rates.get(c.name)?.push(rate)
      cpu.get(c.name)?.push((used.user + used.system) / PINGS)
      line.push(`${c.name} ${Math.round(rate)}/s`)
    }
    console.log(`round ${r + 1}: ${line.join(', ')}`)
  }
  const sk = rates.get('stanzakit') ?? []
  const ratio = (other: string): number =>
    median(sk.map((v, i) => v / (rates.get(other)?.[i] ?? Number.NaN)))
  console.log('')
  console.log('client         pings/s (median, min..max)   client CPU µs/ping   stanzakit ×')
  for (const c of clients) {
    const xs = rates.get(c.name) ?? []
    const range = `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}..${Math.round(Math.max(...xs))})`
    const us = median(cpu.get(c.name) ?? []).toFixed(1)
    console.log(
      `${c.name.padEnd(14)} ${range.padEnd(28)} ${us.padStart(18)}   ${c.name === 'stanzakit' ? '' : ratio(c.name).toFixed(2)}`,
    )
  }
  const vsXmpp = ratio('@xmpp/client')
  const vsRaw = ratio('raw socket')
  console.log('')
  console.log(
    `targets: ≥ 1.5× @xmpp/client: ${vsXmpp.toFixed(2)}× ${vsXmpp >= 1.5 ? 'met' : 'MISSED'}; ≥ 0.8× raw socket: ${vsRaw.toFixed(2)}× ${vsRaw >= 0.8 ? 'met' : 'MISSED'}`,
  )
  for (const c of clients) await c.close()
}

main().catch((e: unknown) => {
  console.error(connection.isSessionError(e) ? connection.format(e) : e)
  process.exit(1)
})
