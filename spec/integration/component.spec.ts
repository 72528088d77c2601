/**
 * `connection.component` (XEP-0114) against a real Prosody: the handshake, a wrong secret, an
 * echo component answering pings and echoing messages through `rx.serve` and a message
 * subscription, exercised by a c2s client, and a component that goes away while requests are
 * pending.
 */
import { afterEach, expect, it } from '@jest/globals'
import * as O from 'fp-ts/lib/Option.js'
import { filter, firstValueFrom, lastValueFrom, NEVER, type Subscription, timeout } from 'rxjs'
import { component } from '../../src/connection/component.js'
import { connect } from '../../src/connection/connect.js'
import * as S from '../../src/connection/Session.js'
import * as Iq from '../../src/Iq.js'
import * as Message from '../../src/Message.js'
import * as rx from '../../src/rx/index.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { jid } from '../helpers.js'
import { config, describeIntegration } from './setup.js'

const NS_PING = 'urn:xmpp:ping'
const ping = Xml.element('ping', NS_PING)

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )

const open: Array<S.Session> = []
const subscriptions: Array<Subscription> = []
afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe()
  await Promise.all(open.splice(0).map((s) => s.close()))
})

const echoComponent = async (secret?: string): Promise<S.Session> => {
  const c = config().component
  const session = await component({
    service: c.service,
    domain: c.domain,
    secret: secret ?? c.secret,
    timeout: 5000,
  })
  open.push(session)
  return session
}

/** Pings answered, messages echoed back to their sender (component addressing, XEP-0114). */
const serveEcho = (session: S.Session): void => {
  subscriptions.push(
    rx.serve(
      session,
      [{ name: 'ping', ns: NS_PING, type: 'get', handle: Iq.reply({ component: true }) }],
      { component: true, unhandledCondition: 'service-unavailable' },
    ),
  )
  subscriptions.push(
    session.incoming.pipe(rx.ofKind('message')).subscribe((m) => {
      if (m.type === 'error' || m.from === undefined || m.body === undefined) return
      session.send(Message.reply({ component: true, body: `echo: ${m.body}` })(m))
    }),
  )
}

const client = async (username: string, resource: string): Promise<S.Session> => {
  const c = config()
  const a = c.user(username)
  const s = await connect({
    service: c.c2s.service,
    domain: c.domain,
    username: a.username,
    password: a.password,
    resource,
    tls: 'none',
    timeout: 5000,
  })
  open.push(s)
  return s
}

describeIntegration('integration: connection.component (Prosody)', () => {
  it('handshake: online, jid = the component domain', async () => {
    const s = await echoComponent()
    expect(s.jid).toBe(config().component.domain)
  })

  it('wrong secret: AuthFailure not-authorized', async () => {
    const e = await rejection(echoComponent('not the secret'))
    expect(S.isAuthFailure(e) && e.condition).toBe('not-authorized')
  })

  it('an echo component answers a client’s ping and echoes its message', async () => {
    const echo = await echoComponent()
    serveEcho(echo)
    const alice = await client('alice', 'echo-client')
    const domain = jid(config().component.domain)

    const pong = await rx.send(alice)(Iq.get(ping, { to: domain }))
    expect(pong).toMatchObject({ kind: 'iq', type: 'result', from: domain })

    const unknown = await rejection(
      rx.send(alice)(Iq.get(Xml.element('query', 'urn:example:none'), { to: domain })),
    )
    expect(rx.isIqError(unknown) && unknown.error.condition).toBe('service-unavailable')

    const echoed = firstValueFrom(
      alice.incoming.pipe(
        rx.ofKind('message'),
        filter((m) => m.from === domain),
        timeout(3000),
      ),
    )
    alice.send(Message.make({ to: domain, type: 'chat', body: 'marco' }))
    const m = await echoed
    expect(Message.getBody(m)).toEqual(O.some('echo: marco'))
    expect(m.to).toBe(alice.jid)
  })

  it('the component closes while its requests are pending: IqClosed, no hang', async () => {
    const echo = await echoComponent()
    const silent = await client('bob', 'silent-for-component') // gets the IQ, never answers
    rx.serve(silent, [{ handle: () => NEVER }]) // else the session would answer (RFC 6120 §8.4)
    const arrived = firstValueFrom(silent.incoming.pipe(filter(Stanza.isIq), timeout(3000)))
    const pending = rejection(
      rx.send(echo)(Iq.get(ping, { to: silent.jid, from: echo.jid }), { timeout: 10_000 }),
    )
    await arrived
    const t0 = Date.now()
    await echo.close()
    expect(rx.isIqClosed(await pending)).toBe(true)
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(await lastValueFrom(echo.status)).toEqual({ _tag: 'Closed', reason: { _tag: 'Ended' } })
  })

  it('a second connection for a connected component is refused (StreamError conflict); the first stays', async () => {
    const first = await echoComponent()
    serveEcho(first)
    // Prosody's component_conflict_resolve defaults to kick_new
    const e = await rejection(echoComponent())
    expect(e).toMatchObject({ _tag: 'StreamError', condition: 'conflict', origin: 'server' })
    const alice = await client('alice', 'after-conflict')
    const pong = await rx.send(alice)(Iq.get(ping, { to: first.jid }))
    expect(pong?.type).toBe('result')
  })
})
