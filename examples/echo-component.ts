/**
 * An external component (XEP-0114) that answers pings and echoes messages back to their
 * sender, with `rx.serve` and a message subscription. Runs until Ctrl-C (or `--for SECONDS`).
 *
 * Against the CI server (README "Running the integration tests"):
 *
 *   npm run server:start && set -a && . .it/env && set +a
 *   npx tsx examples/echo-component.ts           # serves until Ctrl-C
 *   npx tsx examples/echo-component.ts --try     # also runs a c2s client against it, then stops
 *
 * (Only one connection per component domain: Prosody refuses a second one with the stream error
 * `conflict`, so run one instance at a time.)
 *
 * Options (each falls back to the environment, then to a default):
 *   --service URL   XMPP_COMPONENT_SERVICE  xmpp://127.0.0.1:5347
 *   --domain D      XMPP_COMPONENT_DOMAIN   echo.localhost
 *   --secret S      XMPP_COMPONENT_SECRET   echo-secret
 *   --for SECONDS   stop after that long (default: run until interrupted)
 *   --try           also start a c2s client (XMPP_SERVICE, first of XMPP_USERS) that pings the
 *                   component and sends it a message, then stop
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { filter, firstValueFrom, timeout } from 'rxjs'
import { connection, ext, Iq, Jid, Message, rx } from '../src/index.js'

const { values } = parseArgs({
  options: {
    service: { type: 'string' },
    domain: { type: 'string' },
    secret: { type: 'string' },
    for: { type: 'string' },
    try: { type: 'boolean', default: false },
  },
})
const env = process.env
const service = values.service ?? env.XMPP_COMPONENT_SERVICE ?? 'xmpp://127.0.0.1:5347'
const domain = values.domain ?? env.XMPP_COMPONENT_DOMAIN ?? 'echo.localhost'
const secret = values.secret ?? env.XMPP_COMPONENT_SECRET ?? 'echo-secret'

/** XEP-0199: answered with an empty result, addressed as a component does (swap to/from). */
const ping: rx.IqHandler = {
  name: 'ping',
  ns: 'urn:xmpp:ping',
  type: 'get',
  handle: Iq.reply({ component: true }),
}

/** A c2s client that pings the component and gets a message echoed. */
const tryIt = async (component: Jid.Jid): Promise<void> => {
  const [user, password] = (env.XMPP_USERS ?? 'alice:alicepass').split(',')[0]?.split(':') ?? []
  const client = await connection.connect({
    service: env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222',
    domain: env.XMPP_DOMAIN ?? 'localhost',
    username: user ?? 'alice',
    password: password ?? 'alicepass',
    tls: 'none',
  })
  const t0 = performance.now()
  await rx.send(client)(Iq.get(ext.Ping.encode({}), { to: component }))
  console.log(
    `client ${client.jid}: pong from ${component} in ${(performance.now() - t0).toFixed(2)} ms`,
  )
  const echoed = firstValueFrom(
    client.incoming.pipe(
      rx.ofKind('message'),
      filter((m) => m.from === component),
      timeout(5000),
    ),
  )
  client.send(Message.make({ to: component, type: 'chat', body: 'hello, echo' }))
  const m = await echoed
  console.log(`client ${client.jid}: got "${m.body ?? ''}" back`)
  await client.close()
}

const main = async (): Promise<void> => {
  const session = await connection.component({ service, domain, secret })
  console.log(`component ${session.jid} online`)
  session.status.subscribe((s) => {
    if (s._tag === 'Closed') console.log(`component closed: ${connection.format(s.reason)}`)
  })

  const serving = rx.serve(session, [ping], {
    component: true,
    unhandledCondition: 'service-unavailable',
  })
  const echoing = session.incoming.pipe(rx.ofKind('message')).subscribe((m) => {
    // never answer errors (RFC 6120 §8.3.1), nor bodiless messages (chat states, receipts)
    if (m.type === 'error' || m.from === undefined || m.body === undefined) return
    console.log(`${m.from}: ${m.body}`)
    session.send(Message.reply({ component: true, body: m.body })(m))
  })

  const stop = async (): Promise<void> => {
    serving.unsubscribe()
    echoing.unsubscribe()
    await session.close()
  }
  process.once('SIGINT', () => void stop())

  if (values.try) {
    const me = Jid.parse(domain)
    if (E.isLeft(me)) throw new Error(me.left.message)
    await tryIt(me.right)
    await stop()
  } else if (values.for !== undefined) {
    setTimeout(() => void stop(), Number(values.for) * 1000)
  }
}

main().catch((e: unknown) => {
  console.error(connection.isSessionError(e) ? connection.format(e) : e)
  process.exitCode = 1
})
