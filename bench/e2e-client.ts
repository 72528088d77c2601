/**
 * bench/e2e.ts, continued: `connection.client` (the long-lived client with XEP-0198) end to end.
 *
 *   client     client CPU per ping (`process.cpuUsage`, user + system, this process only: Prosody
 *              runs beside it) for `connection.client` with stream management against
 *              @xmpp/client 0.14.0 (SM on too), and the ping rate of `connection.client` with SM
 *              on vs off: the same pings as bench/e2e.ts (BENCH_E2E_PINGS, BENCH_E2E_INFLIGHT),
 *              the three clients interleaved over BENCH_E2E_CLIENT_ROUNDS (3) rounds, starting
 *              client rotated; medians, ratios paired per round. Target: CPU ≤ 0.7× @xmpp/client.
 *   recovery   a client through the fault proxy of spec/integration/proxy.ts with
 *              `reconnect: { initialDelay: 0, maxDelay: 100 }`; BENCH_E2E_CUTS (20) times:
 *              `cut()` (RST both ways), a ping sent right after it; time from the cut to
 *              `Resumed`, and to the ping's answer (sent on the dead link, resent on resumption).
 *   flood      BENCH_E2E_FLOOD (100,000) small `<message/>`s written at once into a session by a
 *              scripted server on loopback (bench/fake-server.ts: deterministic, and nothing else
 *              in this process works meanwhile); the receiver's event-loop lag
 *              (`monitorEventLoopDelay`, 1 ms resolution: max, p99) while it takes them in, and
 *              how long that takes. A link yields after 8 ms of framing (SLICE_MS in
 *              src/connection/internal/link.ts), so the max lag should stay near that.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { filter, firstValueFrom } from 'rxjs'
import { faultProxy } from '../spec/integration/proxy.js'
import { connection, Iq, rx, Xml } from '../src/index.js'
import {
  account,
  type Client,
  domain,
  host,
  interleave,
  median,
  num,
  pairedRatio,
  percentile,
  pingLoop,
  port,
  server,
  service,
  sleep,
  xmppClient,
} from './e2e-shared.js'
import { fakeServer } from './fake-server.js'

const CLIENT_ROUNDS = num('BENCH_E2E_CLIENT_ROUNDS', 3)
const CUTS = num('BENCH_E2E_CUTS', 20)
const FLOOD = num('BENCH_E2E_FLOOD', 100_000)

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

/** Resolves once `c` is online (fresh or resumed) and, with SM asked, resumable. */
const online = async (c: connection.Client, sm: boolean): Promise<void> => {
  const s = await firstValueFrom(
    c.status.pipe(
      filter((s) => s._tag === 'Online' || s._tag === 'Resumed' || s._tag === 'Closed'),
    ),
  )
  if (s._tag === 'Closed') throw s.reason
  // <enable/> goes out once online; wait for <enabled/> before measuring anything.
  for (let i = 0; sm && i < 200 && c.smState() === undefined; i++) await sleep(5)
  if (sm && c.smState() === undefined) throw new Error('connection.client: SM not enabled')
}

const skClient = async (
  index: number,
  name: string,
  sm: boolean,
): Promise<Client & { readonly client: connection.Client }> => {
  const a = account(index)
  const c = connection.client({
    service,
    domain,
    username: a.username,
    password: a.password,
    resource: `bench-${name.replace(/\W+/g, '-')}`,
    tls: 'none',
    streamManagement: sm,
    reconnect: false,
  })
  await online(c, sm)
  // Hold one subscription so the dispatcher keeps listening between rounds.
  const hold = c.incoming.subscribe()
  return {
    name,
    client: c,
    run: pingLoop(c),
    close: async () => {
      hold.unsubscribe()
      await c.close()
    },
  }
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a')

// -------------------------------------------------------------------------------------
// client: CPU per ping, SM on vs off
// -------------------------------------------------------------------------------------

const SK_SM = 'client SM on'
const SK_NOSM = 'client SM off'
const XMPP = '@xmpp/client'

const clientCpu = async (pings: number, inflight: number): Promise<void> => {
  const clients = [
    await skClient(3, SK_SM, true),
    await xmppClient(4, 'bench-xmpp-client-sm'),
    await skClient(5, SK_NOSM, false),
  ]
  console.log(
    `client: connection.client vs @xmpp/client, ${pings} pings, ${inflight} in flight, ${CLIENT_ROUNDS} rounds; Prosody at ${host}:${port}, Node ${process.version}`,
  )
  const { rates, cpu } = await interleave(clients, CLIENT_ROUNDS, pings, inflight, console.log)
  console.log('')
  console.log('client           pings/s (median, min..max)   client CPU µs/ping (median, min..max)')
  for (const c of clients) {
    const xs = rates.get(c.name) ?? []
    const us = cpu.get(c.name) ?? []
    const range = `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}..${Math.round(Math.max(...xs))})`
    const usRange = `${median(us).toFixed(1)} (${Math.min(...us).toFixed(1)}..${Math.max(...us).toFixed(1)})`
    console.log(`${c.name.padEnd(16)} ${range.padEnd(28)} ${usRange}`)
  }
  const cpuRatio = pairedRatio(cpu.get(SK_SM) ?? [], cpu.get(XMPP) ?? [])
  const smRatio = pairedRatio(rates.get(SK_SM) ?? [], rates.get(SK_NOSM) ?? [])
  console.log('')
  console.log(
    `CPU/ping, client SM on ÷ @xmpp/client: ${cpuRatio.toFixed(2)}× (target ≤ 0.70×: ${cpuRatio <= 0.7 ? 'met' : 'MISSED'})`,
  )
  console.log(
    `pings/s, client SM on ÷ SM off: ${smRatio.toFixed(2)}× (${Math.round(median(rates.get(SK_SM) ?? []))}/s vs ${Math.round(median(rates.get(SK_NOSM) ?? []))}/s)`,
  )
  for (const c of clients) await c.close()
}

// -------------------------------------------------------------------------------------
// recovery after a cut
// -------------------------------------------------------------------------------------

const recovery = async (): Promise<void> => {
  const proxy = await faultProxy({ host, port })
  const a = account(0)
  const c = connection.client({
    service: `xmpp://127.0.0.1:${proxy.port}`,
    domain,
    username: a.username,
    password: a.password,
    resource: 'bench-recovery',
    tls: 'none',
    reconnect: { initialDelay: 0, maxDelay: 100 },
  })
  const listeners = new Set<(s: connection.ClientStatus, t: number) => void>()
  let reconnects = 0
  c.status.subscribe((s) => {
    const t = performance.now()
    if (s._tag === 'Reconnecting') reconnects++
    for (const l of listeners) l(s, t)
  })
  const hold = c.incoming.subscribe()
  await online(c, true)
  const request = rx.request(c, { timeout: 10_000 })
  const ping = Xml.element('ping', 'urn:xmpp:ping')
  // Warm the paths up (and check the link) before the first cut.
  await pingLoop(c)(200, 10)

  const toResumed: number[] = []
  const toPing: number[] = []
  let fresh = 0
  let lost = 0
  const reconnects0 = reconnects
  for (let i = 0; i < CUTS; i++) {
    await sleep(20)
    let stop: (() => void) | undefined
    const back = new Promise<{ tag: string; t: number }>((resolve) => {
      const l = (s: connection.ClientStatus, t: number): void => {
        if (s._tag !== 'Online' && s._tag !== 'Resumed' && s._tag !== 'Closed') return
        listeners.delete(l)
        resolve({ tag: s._tag, t })
      }
      listeners.add(l)
      stop = () => listeners.delete(l)
    })
    const t0 = performance.now()
    proxy.cut()
    const answered = firstValueFrom(request(Iq.get(ping, { to: server }))).then(
      () => performance.now() - t0,
      () => Number.NaN,
    )
    const timeout = sleep(10_000).then(() => ({ tag: 'timeout', t: Number.NaN }))
    const b = await Promise.race([back, timeout])
    stop?.()
    if (b.tag === 'Closed' || b.tag === 'timeout')
      throw new Error(`recovery: cut ${i + 1}: ${b.tag}`)
    if (b.tag === 'Resumed') toResumed.push(b.t - t0)
    else fresh++
    const p = await answered
    if (Number.isNaN(p)) lost++
    else toPing.push(p)
    await online(c, true)
  }
  console.log('')
  console.log(
    `recovery: ${CUTS} cuts (RST both ways) through spec/integration/proxy.ts, reconnect { initialDelay: 0, maxDelay: 100 }`,
  )
  console.log('                         p50        p95        max')
  const row = (label: string, xs: ReadonlyArray<number>): void =>
    console.log(
      `${label.padEnd(24)} ${ms(percentile(xs, 50)).padEnd(10)} ${ms(percentile(xs, 95)).padEnd(10)} ${ms(Math.max(...xs))}`,
    )
  row('cut → Resumed', toResumed)
  row('cut → ping answered', toPing)
  console.log(
    `resumed ${toResumed.length}/${CUTS}, fresh binds ${fresh}, reconnect attempts ${reconnects - reconnects0}, pings lost ${lost}, proxy connections accepted ${proxy.accepted}`,
  )
  hold.unsubscribe()
  await c.close()
  await proxy.close()
}

// -------------------------------------------------------------------------------------
// flood: event-loop lag while receiving
// -------------------------------------------------------------------------------------

interface Receiver {
  readonly name: string
  readonly open: (
    port: number,
  ) => Promise<rx.StanzaStream & { readonly close: () => Promise<void> }>
}

const fakeLogin = (p: number) => ({
  service: `xmpp://127.0.0.1:${p}`,
  domain,
  username: 'bob',
  password: 'bobpass',
  resource: 'flood',
  tls: 'none' as const,
  allowPlainWithoutTls: true,
})

const receivers: ReadonlyArray<Receiver> = [
  {
    name: 'connection.client',
    open: async (p) => {
      const c = connection.client({ ...fakeLogin(p), reconnect: false, keepalive: false })
      await online(c, false)
      return c
    },
  },
  { name: 'connection.connect', open: (p) => connection.connect(fakeLogin(p)) },
]

const messages = (n: number, from: string, to: string): Buffer => {
  const parts: string[] = []
  for (let i = 0; i < n; i++)
    parts.push(
      `<message from='${from}' to='${to}' type='chat' id='f${i}'><body>flood ${i}</body></message>`,
    )
  return Buffer.from(parts.join(''), 'utf8')
}

const flood = async (): Promise<void> => {
  const to = `bob@${domain}/flood`
  const srv = await fakeServer(domain, to)
  const warmN = Math.min(FLOOD, 30_000)
  const warm = messages(warmN, `alice@${domain}/flood`, to)
  const data = messages(FLOOD, `alice@${domain}/flood`, to)
  console.log('')
  console.log(
    `flood: ${FLOOD} <message/>s (${(data.length / 1e6).toFixed(1)} MB) written at once into one session by a scripted server on loopback`,
  )
  console.log(
    'receiver             received in   msgs/s    CPU µs/msg   loop lag max   p99      mean',
  )
  for (const r of receivers) {
    const bound = srv.bound()
    const session = await r.open(srv.port)
    const socket = await bound
    let got = 0
    let target = 0
    let done: () => void = () => undefined
    const sub = session.incoming.subscribe(() => {
      got++
      if (got === target) done()
    })
    const receive = (buf: Buffer, n: number): Promise<void> => {
      got = 0
      target = n
      const all = new Promise<void>((resolve) => {
        done = resolve
      })
      socket.write(buf)
      return all
    }
    await receive(warm, warmN) // warm-up (JIT), not measured
    const h = monitorEventLoopDelay({ resolution: 1 })
    const c0 = process.cpuUsage()
    h.enable()
    const t0 = performance.now()
    await receive(data, FLOOD)
    const took = performance.now() - t0
    h.disable()
    const used = process.cpuUsage(c0)
    sub.unsubscribe()
    console.log(
      `${r.name.padEnd(20)} ${ms(took).padEnd(13)} ${String(Math.round((FLOOD / took) * 1000)).padEnd(9)} ${((used.user + used.system) / FLOOD).toFixed(2).padEnd(12)} ${ms(h.max / 1e6).padEnd(14)} ${ms(h.percentile(99) / 1e6).padEnd(8)} ${ms(h.mean / 1e6)}`,
    )
    await session.close()
  }
  await srv.close()
}

// -------------------------------------------------------------------------------------
// all
// -------------------------------------------------------------------------------------

export const clientSections = async (
  parts: ReadonlySet<string>,
  pings: number,
  inflight: number,
): Promise<void> => {
  if (parts.has('client')) {
    if (parts.has('pings')) console.log('')
    await clientCpu(pings, inflight)
  }
  if (parts.has('recovery')) await recovery()
  if (parts.has('flood')) await flood()
}
