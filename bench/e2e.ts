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
 *
 * Then the sections of bench/e2e-client.ts on `connection.client` (client CPU per ping against
 * @xmpp/client, SM on vs off, recovery after a cut, event-loop lag during a flood).
 * BENCH_E2E_PARTS selects: a comma list of `pings`, `client`, `recovery`, `flood` (default all).
 */
import * as net from 'node:net'
import { connection } from '../src/index.js'
import { clientSections } from './e2e-client.js'
import {
  account,
  type Client,
  domain,
  env,
  host,
  interleave,
  median,
  num,
  pairedRatio,
  pingLoop,
  port,
  service,
  xmppClient,
} from './e2e-shared.js'

// -------------------------------------------------------------------------------------
// configuration
// -------------------------------------------------------------------------------------

const ROUNDS = num('BENCH_E2E_ROUNDS', 7)
const PINGS = num('BENCH_E2E_PINGS', 10_000)
const INFLIGHT = num('BENCH_E2E_INFLIGHT', 100)
const PARTS = new Set(
  (env.BENCH_E2E_PARTS ?? 'pings,client,recovery,flood').split(',').map((p) => p.trim()),
)

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
  // Hold one subscription so the dispatcher keeps listening between rounds.
  const hold = session.incoming.subscribe()
  return {
    name: 'stanzakit',
    run: pingLoop(session),
    close: async () => {
      hold.unsubscribe()
      await session.close()
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

const pings = async (): Promise<void> => {
  const clients = [await stanzakit(), await xmppClient(1, 'bench-xmpp-client'), await rawSocket()]
  console.log(
    `e2e: ${PINGS} pings, ${INFLIGHT} in flight, ${ROUNDS} rounds, Prosody at ${host}:${port}; Node ${process.version}`,
  )
  const { rates, cpu } = await interleave(clients, ROUNDS, PINGS, INFLIGHT, (line) =>
    console.log(line.replace(/ [0-9.]+ µs/g, '')),
  )
  const sk = rates.get('stanzakit') ?? []
  const ratio = (other: string): number => pairedRatio(sk, rates.get(other) ?? [])
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

const main = async (): Promise<void> => {
  if (PARTS.has('pings')) await pings()
  await clientSections(PARTS, PINGS, INFLIGHT)
}

main().catch((e: unknown) => {
  console.error(connection.isSessionError(e) ? connection.format(e) : e)
  process.exit(1)
})
