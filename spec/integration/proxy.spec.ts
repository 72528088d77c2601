/**
 * The fault proxy of the integration specs (./proxy.ts), against a local TCP echo server: it needs
 * no XMPP server, so it also runs under `npm test`. The last block goes through the proxy to
 * Prosody (skipped without one): STARTTLS and a login pass through it, a cut ends the session.
 */

import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { filter, firstValueFrom, timeout } from 'rxjs'
import { connect } from '../../src/connection/connect.js'
import type * as S from '../../src/connection/Session.js'
import * as Iq from '../../src/Iq.js'
import * as rx from '../../src/rx/index.js'
import * as Xml from '../../src/Xml.js'
import { jid } from '../helpers.js'
import { type FaultProxy, faultProxy } from './proxy.js'
import { config, describeIntegration } from './setup.js'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls `cond` every 5 ms; throws after `ms`. */
const until = async (cond: () => boolean, what: string, ms = 2000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

/** One end of a TCP connection, recording what it read and how it ended. */
interface End {
  readonly socket: Socket
  readonly text: () => string
  /** `undefined` while open; the error code (`ECONNRESET`, …) or `'closed'` once closed. */
  readonly ended: () => string | undefined
}

const record = (socket: Socket): End => {
  let text = ''
  let code: string | undefined
  let ended: string | undefined
  socket.on('data', (b: Buffer) => {
    text += b.toString('latin1')
  })
  socket.on('error', (e: NodeJS.ErrnoException) => {
    code = e.code ?? e.message
  })
  socket.on('close', () => {
    ended = code ?? 'closed'
  })
  return { socket, text: () => text, ended: () => ended }
}

/** An echo server that keeps its side of every connection, for the tests to look at. */
interface Echo {
  readonly port: number
  readonly ends: End[]
  echo: boolean
  readonly close: () => Promise<void>
}

const echoServer = (): Promise<Echo> =>
  new Promise((resolve) => {
    const ends: End[] = []
    // Half-open allowed, so a test can watch a FIN travel without the server answering it.
    const server: Server = createServer({ allowHalfOpen: true }, (s) => {
      const end = record(s)
      ends.push(end)
      s.on('data', (b: Buffer) => {
        if (echo.echo && !s.destroyed) s.write(b)
      })
    })
    const echo: Echo = {
      port: 0,
      ends,
      echo: true,
      close: () =>
        new Promise<void>((r) => {
          for (const e of ends) e.socket.destroy()
          server.close(() => r())
        }),
    }
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve(Object.assign(echo, { port: typeof a === 'object' && a !== null ? a.port : 0 }))
    })
  })

/**
 * How the receiver of a `cutAfterBytes` sees the end: Linux reports an RST that finds unread
 * bytes as end of stream after them, and as `ECONNRESET` once they were read.
 */
const LAST_BYTES_END = /^(ECONNRESET|closed)$/

let echo: Echo
let proxy: FaultProxy
const clients: Socket[] = []

/** A client connected to the proxy, once the echo server has its side too. */
const dial = async (allowHalfOpen = false): Promise<{ client: End; server: End }> => {
  const before = echo.ends.length
  const socket = tcpConnect({ host: '127.0.0.1', port: proxy.port, allowHalfOpen })
  clients.push(socket)
  const client = record(socket)
  await until(() => echo.ends.length > before, 'the proxied connection')
  const server = echo.ends[before]
  if (server === undefined) throw new Error('no server side')
  return { client, server }
}

describe('faultProxy (against a local echo server)', () => {
  beforeEach(async () => {
    echo = await echoServer()
    proxy = await faultProxy({ host: '127.0.0.1', port: echo.port })
  })

  afterEach(async () => {
    for (const s of clients.splice(0)) s.destroy()
    await proxy.close()
    await echo.close()
  })

  it('forwards both ways and counts connections and bytes', async () => {
    const { client, server } = await dial()
    client.socket.write('hello')
    await until(() => client.text() === 'hello', 'the echo')
    expect(server.text()).toBe('hello')
    server.socket.write(' world')
    await until(() => client.text() === 'hello world', 'a server push')
    expect(proxy.bytes).toEqual({ up: 5, down: 11 })
    expect(proxy.connections).toBe(1)
    expect(proxy.accepted).toBe(1)

    const second = await dial()
    second.client.socket.write('2')
    await until(() => second.client.text() === '2', 'the second echo')
    expect(proxy.connections).toBe(2)
    expect(proxy.accepted).toBe(2)
  })

  it('passes a half-close on, then closes cleanly', async () => {
    const { client, server } = await dial(true)
    echo.echo = false
    client.socket.end('bye')
    await until(() => server.text() === 'bye' && server.socket.readableEnded, 'the FIN upstream')
    server.socket.end('ok')
    await until(() => client.ended() !== undefined && server.ended() !== undefined, 'both closes')
    expect(client.text()).toBe('ok')
    expect([client.ended(), server.ended()]).toEqual(['closed', 'closed'])
    await until(() => proxy.connections === 0, 'no live connection')
  })

  it('cut() resets both sides of every connection; new ones are forwarded', async () => {
    const a = await dial()
    const b = await dial()
    proxy.cut()
    await until(
      () => [a, b].every((x) => x.client.ended() !== undefined && x.server.ended() !== undefined),
      'every socket closed',
    )
    // RST, not FIN: each peer sees an error, as on a link that died.
    expect([a.client, a.server, b.client, b.server].map((e) => e.ended())).toEqual(
      Array(4).fill('ECONNRESET'),
    )
    expect(proxy.connections).toBe(0)

    const c = await dial()
    c.client.socket.write('again')
    await until(() => c.client.text() === 'again', 'an echo after the cut')
    expect(proxy.accepted).toBe(3)
  })

  it('stall() moves nothing either way, also on new connections; resume() delivers it', async () => {
    const { client, server } = await dial()
    proxy.stall()
    client.socket.write('up')
    server.socket.write('down')
    const late = tcpConnect({ host: '127.0.0.1', port: proxy.port })
    clients.push(late)
    const lateEnd = record(late)
    late.write('late')
    await sleep(200)
    expect([client.text(), server.text(), lateEnd.text()]).toEqual(['', '', ''])
    expect(proxy.bytes).toEqual({ up: 0, down: 0 })
    // Half-open, not closed: nobody saw an end.
    expect([client.ended(), server.ended(), lateEnd.ended()]).toEqual([
      undefined,
      undefined,
      undefined,
    ])

    proxy.resume()
    await until(() => client.text() === 'downup', 'the held bytes, in order')
    expect(server.text()).toBe('up')
    await until(() => lateEnd.text() === 'late', 'the late connection')
  })

  it('stall() then cut(): the held bytes are lost', async () => {
    const { client, server } = await dial()
    proxy.stall()
    client.socket.write('lost')
    await sleep(50)
    proxy.cut()
    await until(() => client.ended() !== undefined && server.ended() !== undefined, 'the cut')
    expect(server.text()).toBe('')
    proxy.resume()
  })

  it('refuse(ms) resets new connections for ms; existing ones keep working', async () => {
    const { client } = await dial()
    proxy.refuse(300)
    const refused = record(tcpConnect({ host: '127.0.0.1', port: proxy.port }))
    clients.push(refused.socket)
    await until(() => refused.ended() !== undefined, 'the refusal')
    expect(refused.ended()).toMatch(/^(ECONNRESET|EPIPE|closed)$/)
    expect(proxy.refused).toBe(1)
    expect(echo.ends).toHaveLength(1) // never reached the server
    client.socket.write('still')
    await until(() => client.text() === 'still', 'the old connection')

    await sleep(300)
    const after = await dial()
    after.client.socket.write('ok')
    await until(() => after.client.text() === 'ok', 'a connection after the window')
    expect([proxy.accepted, proxy.refused]).toEqual([2, 1])
  })

  it('cutAfterBytes(n, "up"): exactly n bytes reach the server, then both sides reset', async () => {
    const { client, server } = await dial()
    client.socket.write('01234')
    await until(() => client.text() === '01234', 'the first echo')
    const cut = proxy.cutAfterBytes(7, 'up')
    client.socket.write('abcdefghij') // 10 bytes: 7 pass, the rest is dropped mid-chunk
    await cut
    await until(() => client.ended() !== undefined && server.ended() !== undefined, 'the cut')
    expect(server.text()).toBe('01234abcdefg')
    expect(client.ended()).toBe('ECONNRESET')
    expect(server.ended()).toMatch(LAST_BYTES_END)
    expect(proxy.bytes.up).toBe(12)
  })

  it('cutAfterBytes(n, "down") counts across chunks and cuts mid-chunk', async () => {
    const { client, server } = await dial()
    const cut = proxy.cutAfterBytes(10, 'down')
    for (const chunk of ['aaaa', 'bbbb']) {
      server.socket.write(chunk)
      await until(() => client.text().endsWith(chunk), chunk)
    }
    expect(client.ended()).toBeUndefined()
    server.socket.write('cccc')
    await cut
    await until(() => client.ended() !== undefined && server.ended() !== undefined, 'the cut')
    expect(client.text()).toBe('aaaabbbbcc')
    expect(client.ended()).toMatch(LAST_BYTES_END)
    expect(server.ended()).toBe('ECONNRESET')
    // One-shot: the next connection is not cut.
    const next = await dial()
    next.client.socket.write('fine')
    await until(() => next.client.text() === 'fine', 'an echo after the cut')
  })

  it('cutAfterBytes(0, …) cuts at the next chunk, forwarding none of it', async () => {
    const { client, server } = await dial()
    const cut = proxy.cutAfterBytes(0, 'up')
    client.socket.write('x')
    await cut
    await until(() => client.ended() !== undefined && server.ended() !== undefined, 'the cut')
    expect(server.text()).toBe('')
    await expect(proxy.cutAfterBytes(-1, 'up')).rejects.toThrow(RangeError)
  })

  it('a dead target resets the client (as a down server would)', async () => {
    const port = echo.port
    await echo.close()
    const dead = await faultProxy({ host: '127.0.0.1', port })
    try {
      const client = record(tcpConnect({ host: '127.0.0.1', port: dead.port }))
      clients.push(client.socket)
      await until(() => client.ended() !== undefined, 'the reset')
      expect(client.ended()).toMatch(/^(ECONNRESET|closed)$/)
      expect(dead.connections).toBe(0)
    } finally {
      await dead.close()
    }
    echo = await echoServer() // for afterEach
  })
})

describeIntegration('faultProxy in front of Prosody', () => {
  const sessions: S.Session[] = []
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()))
  })

  it('STARTTLS and login pass through it; a cut closes the session', async () => {
    const c = config()
    const xmpp = await faultProxy(c.c2s)
    try {
      const wire: string[] = []
      const alice = c.user('alice')
      const s = await connect({
        service: `xmpp://127.0.0.1:${xmpp.port}`,
        domain: c.domain,
        username: alice.username,
        password: alice.password,
        resource: 'via-proxy',
        tls: 'starttls-if-offered',
        ca: c.ca,
        timeout: 5000,
        trace: ({ direction, xml }) => {
          if (direction === 'out') wire.push(xml)
        },
      })
      sessions.push(s)
      expect(wire.some((x) => x.startsWith('<starttls'))).toBe(true)
      const pong = await rx.send(s)(
        Iq.get(Xml.element('ping', 'urn:xmpp:ping'), { to: jid(c.domain) }),
      )
      expect(pong?.type).toBe('result')
      expect(xmpp.bytes.up).toBeGreaterThan(0)

      const closed = firstValueFrom(
        s.status.pipe(
          filter((x) => x._tag === 'Closed'),
          timeout(3000),
        ),
      )
      xmpp.cut()
      const status = await closed
      expect(status._tag === 'Closed' && status.reason._tag).toBe('SocketClosed')
    } finally {
      await xmpp.close()
    }
  })
})
