/**
 * `connection.component` (XEP-0114) against an in-process fake server on loopback.
 */
import { createHash } from 'node:crypto'
import * as net from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import { firstValueFrom, lastValueFrom } from 'rxjs'
import { component, handshake } from '../../src/connection/component.js'
import * as S from '../../src/connection/Session.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Message from '../../src/Message.js'
import * as rx from '../../src/rx/index.js'
import * as Xml from '../../src/Xml.js'

const NS = 'jabber:component:accept'
const SECRET = 's3cret'
const HEADER = `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='${NS}' from='echo.localhost' id='c0ffee-42'>`

/** What the client wrote, consumed by `read`. */
class Peer {
  private buf = ''
  private wake: (() => void) | undefined
  ended = false
  constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => {
      this.buf += d
      this.wake?.()
    })
    socket.on('end', () => {
      this.ended = true
      this.wake?.()
    })
    socket.on('error', () => undefined)
  }

  async read(re: RegExp, ms = 2000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms
    for (;;) {
      const m = re.exec(this.buf)
      if (m !== null) {
        this.buf = this.buf.slice(m.index + m[0].length)
        return m
      }
      const left = deadline - Date.now()
      if (this.ended || left <= 0) throw new Error(`no ${re} in ${this.buf}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
    }
  }

  write(s: string): void {
    if (!this.socket.destroyed) this.socket.write(s)
  }
}

const servers: net.Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()))
})

const fake = async (
  script: (peer: Peer) => Promise<void>,
): Promise<{ readonly service: string; readonly done: Promise<void> }> => {
  const server = net.createServer()
  const done = new Promise<Peer>((resolve) =>
    server.once('connection', (socket) => resolve(new Peer(socket))),
  ).then(async (peer) => {
    try {
      await script(peer)
    } finally {
      peer.read(/<\/stream:stream>/, 3000).then(
        () => {
          peer.write('</stream:stream>')
          peer.socket.end()
        },
        () => peer.socket.destroy(),
      )
    }
  })
  done.catch(() => undefined)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const a = server.address()
  if (a === null || typeof a === 'string') throw new Error('no port')
  return { service: `xmpp://127.0.0.1:${a.port}`, done }
}

/** The server side of the handshake: success if the digest is right, else not-authorized. */
const accept = async (peer: Peer): Promise<boolean> => {
  const header = await peer.read(/<stream:stream[^>]*>/)
  expect(header[0]).toMatch(new RegExp(`xmlns=['"]${NS}['"]`))
  expect(header[0]).toMatch(/to=['"]echo\.localhost['"]/)
  expect(header[0]).not.toMatch(/version=/)
  peer.write(HEADER)
  const m = await peer.read(/<handshake>([0-9a-f]*)<\/handshake>/)
  const expected = createHash('sha1').update(`c0ffee-42${SECRET}`).digest('hex')
  if (m[1] === expected) {
    peer.write('<handshake/>')
    return true
  }
  peer.write(
    "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
  )
  return false
}

const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )

const options = (service: string, secret = SECRET) => ({
  service,
  domain: 'echo.localhost',
  secret,
  timeout: 2000,
})

describe('connection/component', () => {
  it('handshake: lowercase hex SHA-1 of stream id + secret (XEP-0114 §2)', () => {
    expect(handshake('3BF96D32', 'secret')).toBe(
      createHash('sha1').update('3BF96D32secret').digest('hex'),
    )
    expect(handshake('a', 'b')).toMatch(/^[0-9a-f]{40}$/)
  })

  it('success: online with jid = the component domain', async () => {
    const f = await fake(async (peer) => {
      expect(await accept(peer)).toBe(true)
    })
    const session = await component(options(f.service))
    expect(session.jid).toBe('echo.localhost')
    await session.close()
    const last = await lastValueFrom(session.status)
    expect(last).toEqual({ _tag: 'Closed', reason: { _tag: 'Ended' } })
    await f.done
  })

  it('wrong secret: AuthFailure not-authorized', async () => {
    const f = await fake(async (peer) => {
      expect(await accept(peer)).toBe(false)
    })
    const e = await rejection(component(options(f.service, 'wrong')))
    expect(e).toEqual({ _tag: 'AuthFailure', condition: 'not-authorized' })
    await f.done
  })

  it('another stream error: StreamError', async () => {
    const f = await fake(async (peer) => {
      await peer.read(/<stream:stream[^>]*>/)
      peer.write(
        `${HEADER}<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`,
      )
    })
    const e = await rejection(component(options(f.service)))
    expect(S.isStreamError(e) && e.condition).toBe('host-unknown')
    await f.done
  })

  it('stanzas in jabber:component:accept both ways; rx.serve with component addressing', async () => {
    const f = await fake(async (peer) => {
      await accept(peer)
      peer.write(
        `<iq type='get' id='p1' from='alice@localhost/x' to='echo.localhost'><ping xmlns='urn:xmpp:ping'/></iq>`,
      )
      const reply = await peer.read(/<iq [^>]*(?:\/>|>[\s\S]*?<\/iq>)/)
      expect(reply[0]).toMatch(new RegExp(`xmlns=['"]${NS}['"]`))
      expect(reply[0]).toMatch(/type=['"]result['"]/)
      expect(reply[0]).toMatch(/from=['"]echo\.localhost['"]/)
      expect(reply[0]).toMatch(/to=['"]alice@localhost\/x['"]/)
      peer.write(
        "<message from='alice@localhost/x' to='echo.localhost' type='chat'><body>hello</body></message>",
      )
    })
    const session = await component(options(f.service))
    // a component's answers swap to/from (XEP-0114): Iq.reply({ component: true })
    const pong = Iq.reply({ component: true })
    rx.serve(session, [{ name: 'ping', ns: 'urn:xmpp:ping', handle: (r: Iq.Request) => pong(r) }], {
      component: true,
    })
    const m = await firstValueFrom(session.incoming.pipe(rx.ofKind('message')))
    expect(Message.getBody(m)).toEqual({ _tag: 'Some', value: 'hello' })
    expect(m.from).toBe(jid('alice@localhost/x'))
    await session.close()
    await f.done
  })

  it('a stanza in jabber:client on a component stream is a stream error (invalid-namespace)', async () => {
    const f = await fake(async (peer) => {
      await accept(peer)
      peer.write(
        "<message xmlns='jabber:client' from='alice@localhost/x' to='echo.localhost'><body>hi</body></message>",
      )
      const m = await peer.read(/<stream:error>([\s\S]*?)<\/stream:error>/)
      expect(m[1]).toMatch(/<invalid-namespace /)
    })
    const session = await component(options(f.service))
    await f.done
    const last = await lastValueFrom(session.status)
    expect(last).toMatchObject({
      _tag: 'Closed',
      reason: { _tag: 'StreamError', condition: 'invalid-namespace', origin: 'client' },
    })
  })

  it('the server goes away: pending requests fail with IqClosed', async () => {
    const f = await fake(async (peer) => {
      await accept(peer)
      await peer.read(/<iq [^>]*>/)
      peer.write('</stream:stream>')
      peer.socket.end()
    })
    const session = await component(options(f.service))
    const e = await rejection(
      rx.send(session)(
        Iq.get(Xml.element('ping', 'urn:xmpp:ping'), {
          to: jid('alice@localhost/x'),
          from: session.jid,
        }),
      ),
    )
    expect(rx.isIqClosed(e)).toBe(true)
    await f.done
  })

  it('invalid domain: RangeError at once', () => {
    expect(() => component({ service: 'xmpp://127.0.0.1', domain: 'a@b', secret: 'x' })).toThrow(
      RangeError,
    )
  })

  it('no rx.serve: a get/set is answered with service-unavailable, component addressing', async () => {
    const f = await fake(async (peer) => {
      await accept(peer)
      peer.write(
        `<iq type='get' id='q1' from='alice@localhost/x' to='echo.localhost'><query xmlns='jabber:iq:version'/></iq>`,
      )
      const reply = await peer.read(/<iq [^>]*(?:\/>|>[\s\S]*?<\/iq>)/)
      expect(reply[0]).toMatch(/type=['"]error['"]/)
      expect(reply[0]).toMatch(/id=['"]q1['"]/)
      expect(reply[0]).toMatch(/from=['"]echo\.localhost['"]/)
      expect(reply[0]).toMatch(/to=['"]alice@localhost\/x['"]/)
      expect(reply[0]).toMatch(
        /<service-unavailable xmlns=['"]urn:ietf:params:xml:ns:xmpp-stanzas['"]\/>/,
      )
    })
    const session = await component(options(f.service))
    await f.done
    await session.close()
  })

  it('with rx.serve: only the serve answers (no service-unavailable as well)', async () => {
    const f = await fake(async (peer) => {
      await accept(peer)
      for (const id of ['p1', 'p2']) {
        peer.write(
          `<iq type='get' id='${id}' from='alice@localhost/x' to='echo.localhost'><ping xmlns='urn:xmpp:ping'/></iq>`,
        )
        const reply = await peer.read(/<iq [^>]*(?:\/>|>[\s\S]*?<\/iq>)/)
        expect(reply[0]).toMatch(/type=['"]result['"]/)
        expect(reply[0]).toMatch(new RegExp(`id=['"]${id}['"]`))
      }
    })
    const session = await component(options(f.service))
    const pong = Iq.reply({ component: true })
    rx.serve(session, [{ name: 'ping', ns: 'urn:xmpp:ping', handle: (r: Iq.Request) => pong(r) }], {
      component: true,
    })
    await f.done
    await session.close()
  })
})
