/**
 * Log in, ping the server (XEP-0199) a few times, print each round-trip time, log out.
 *
 * Against the CI server (README "Running the integration tests"):
 *
 *   npm run server:start && set -a && . .it/env && set +a
 *   npx tsx examples/ping.ts                      # first account of XMPP_USERS, 5 pings
 *   npx tsx examples/ping.ts --user bob --count 20 --tls
 *
 * Options (each falls back to the environment, then to a default):
 *   --service URL    XMPP_SERVICE   xmpp://127.0.0.1:5222 (xmpps:// for direct TLS)
 *   --domain D       XMPP_DOMAIN    localhost
 *   --user U         XMPP_USER      first user of XMPP_USERS
 *   --password P     XMPP_PASSWORD  that user's password from XMPP_USERS
 *   --count N        5
 *   --tls            STARTTLS required (trusting XMPP_CA if set); default: none on loopback
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { firstValueFrom } from 'rxjs'
import { connection, ext, Iq, Jid, rx } from '../src/index.js'

const { values } = parseArgs({
  options: {
    service: { type: 'string' },
    domain: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    count: { type: 'string' },
    tls: { type: 'boolean', default: false },
  },
})

const env = process.env
const users = (env.XMPP_USERS ?? '')
  .split(',')
  .filter((s) => s.includes(':'))
  .map((s) => [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)] as const)
const username = values.user ?? env.XMPP_USER ?? users[0]?.[0] ?? 'alice'
const password =
  values.password ?? env.XMPP_PASSWORD ?? users.find(([u]) => u === username)?.[1] ?? ''
const service = values.service ?? env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222'
const domain = values.domain ?? env.XMPP_DOMAIN ?? 'localhost'
const count = Number(values.count ?? 5)
const ca = env.XMPP_CA === undefined || env.XMPP_CA === '' ? undefined : readFileSync(env.XMPP_CA)

const main = async (): Promise<void> => {
  if (password === '') throw new Error('no password: pass --password or set XMPP_USERS')
  const t0 = performance.now()
  const session = await connection.connect({
    service,
    domain,
    username,
    password,
    resource: `ping-${process.pid}`,
    tls: values.tls ? 'required' : 'none',
    ...(ca === undefined ? {} : { ca }),
  })
  console.log(`online as ${session.jid} in ${(performance.now() - t0).toFixed(1)} ms`)
  session.status.subscribe((s) => {
    if (s._tag === 'Closed' && s.reason._tag !== 'Ended')
      console.log(`session closed: ${connection.format(s.reason)}`)
  })

  const ping = rx.request(session, { timeout: 5_000 })
  const parsed = Jid.parse(Jid.domain(session.jid)) // our server's JID: our domain
  if (E.isLeft(parsed)) throw new Error(parsed.left.message)
  const server = parsed.right
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await firstValueFrom(ping(Iq.get(ext.Ping.encode({}), { to: server })))
    const ms = performance.now() - t
    times.push(ms)
    console.log(`pong from ${server}: ${ms.toFixed(3)} ms`)
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN
  console.log(
    `${count} pings: min ${(times[0] ?? Number.NaN).toFixed(3)} ms, median ${median.toFixed(3)} ms`,
  )
  await session.close()
}

main().catch((e: unknown) => {
  console.error(connection.isSessionError(e) ? connection.format(e) : e)
  process.exitCode = 1
})
