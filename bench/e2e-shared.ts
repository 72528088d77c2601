/**
 * What bench/e2e.ts and its sections (bench/e2e-client.ts) share: the server from the
 * environment, the `Client` under test, the ping loop over any `rx.StanzaStream`, @xmpp/client
 * as a `Client`, the interleaved rounds and the statistics.
 */
import type * as net from 'node:net'
import { Iq, Jid, rx, Xml } from '../src/index.js'

// -------------------------------------------------------------------------------------
// configuration
// -------------------------------------------------------------------------------------

export const env = process.env
export const num = (name: string, fallback: number): number => {
  const v = env[name]
  const n = v === undefined || v === '' ? fallback : Number(v)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: expected an integer >= 1`)
  return n
}

const serviceOf = (): string => {
  const s = env.XMPP_SERVICE
  if (s === undefined || s === '') {
    console.error(
      'bench:e2e needs a server: npm run server:start && set -a && . .it/env && set +a && npm run bench:e2e',
    )
    process.exit(2)
  }
  return s
}
export const service = serviceOf()
export const domain = env.XMPP_DOMAIN ?? 'localhost'
const url = new URL(service)
export const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
export const port = url.port === '' ? 5222 : Number(url.port)
const accounts = (env.XMPP_USERS ?? '')
  .split(',')
  .filter((s) => s.includes(':'))
  .map((s) => ({ username: s.slice(0, s.indexOf(':')), password: s.slice(s.indexOf(':') + 1) }))
export const account = (i: number): { readonly username: string; readonly password: string } => {
  const a = accounts[i]
  if (a === undefined) throw new Error(`XMPP_USERS needs at least ${i + 1} accounts`)
  return a
}

const serverJid = (): Jid.Jid => {
  const to = Jid.parse(domain)
  if (to._tag === 'Left') throw new Error(`not a domain: ${domain}`)
  return to.right
}
/** Our server's JID: where the pings go. */
export const server = serverJid()

// -------------------------------------------------------------------------------------
// clients
// -------------------------------------------------------------------------------------

/** A client under test: `run(n, inflight)` resolves when n pings have been answered. */
export interface Client {
  readonly name: string
  readonly run: (n: number, inflight: number) => Promise<void>
  readonly close: () => Promise<void>
}

const pingPayload = Xml.element('ping', 'urn:xmpp:ping')

/**
 * n XEP-0199 pings to our server over `stream` with `inflight` outstanding: each answer starts
 * the next request until all are answered (`rx.request` per ping).
 */
export const pingLoop = (
  stream: rx.StanzaStream,
): ((n: number, inflight: number) => Promise<void>) => {
  const request = rx.request(stream)
  return (n, inflight) =>
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
        request(Iq.get(pingPayload, { to: server })).subscribe(observer)
      }
      for (let i = 0; i < inflight && i < n; i++) one()
    })
}

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

/**
 * @xmpp/client 0.14.0 with its defaults (SCRAM-SHA-1, stream management), TCP_NODELAY, plain
 * TCP (STARTTLS hidden from its feature negotiation), logged in as account `index`.
 */
export const xmppClient = async (index: number, resource: string): Promise<Client> => {
  const specifier = '@xmpp/client'
  const { client, xml } = (await import(specifier)) as XmppModule
  const a = account(index)
  const xmpp = client({
    service: `xmpp://${host}:${port}`,
    domain,
    username: a.username,
    password: a.password,
    resource,
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
// rounds
// -------------------------------------------------------------------------------------

export interface Rounds {
  /** pings/s per client name, one per round. */
  readonly rates: Map<string, number[]>
  /** Client CPU (`process.cpuUsage`, user + system) µs per ping, one per round. */
  readonly cpu: Map<string, number[]>
}

/**
 * A warm-up pass each (min(pings, 2,000)), then `rounds` rounds running the clients one after
 * the other, the starting client rotated per round; `log` gets one line per round.
 */
export const interleave = async (
  clients: ReadonlyArray<Client>,
  rounds: number,
  pings: number,
  inflight: number,
  log: (line: string) => void,
): Promise<Rounds> => {
  for (const c of clients) await c.run(Math.min(pings, 2_000), inflight)
  const rates = new Map<string, number[]>(clients.map((c) => [c.name, []]))
  const cpu = new Map<string, number[]>(clients.map((c) => [c.name, []]))
  for (let r = 0; r < rounds; r++) {
    const line: string[] = []
    for (let k = 0; k < clients.length; k++) {
      const c = clients[(r + k) % clients.length]
      if (c === undefined) continue
      const c0 = process.cpuUsage()
      const t0 = process.hrtime.bigint()
      await c.run(pings, inflight)
      const s = Number(process.hrtime.bigint() - t0) / 1e9
      const used = process.cpuUsage(c0)
      const rate = pings / s
      const us = (used.user + used.system) / pings
      rates.get(c.name)?.push(rate)
      cpu.get(c.name)?.push(us)
      line.push(`${c.name} ${Math.round(rate)}/s ${us.toFixed(1)} µs`)
    }
    log(`round ${r + 1}: ${line.join(', ')}`)
  }
  return { rates, cpu }
}

/** The median of per-round ratios a[i] / b[i] (paired). */
export const pairedRatio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number =>
  median(a.map((v, i) => v / (b[i] ?? Number.NaN)))

// -------------------------------------------------------------------------------------
// statistics
// -------------------------------------------------------------------------------------

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

/** Nearest-rank percentile (p in 0..100). */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
