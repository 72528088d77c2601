/**
 * Smoke test of the integration server (`.ci/prosody.sh`) with raw `node:net`/`node:tls` sockets
 * and string matching only: it checks the infrastructure the connection specs rely on (ports,
 * certificate, accounts, component secret), not stanzakit. Prosody's attribute order varies and it
 * uses single quotes (docs/prosody.md, gotcha 5), so the patterns accept attributes in any order.
 */

import { createHash } from 'node:crypto'
import * as net from 'node:net'
import * as tls from 'node:tls'
import { afterEach, describe, expect, it } from '@jest/globals'
import { type Account, config, describeIntegration, type Endpoint } from './setup.js'

const NS_STREAM = 'http://etherx.jabber.org/streams'
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'

/** A socket read as text: `until` waits for a pattern and consumes the text up to its end. */
interface Raw {
  readonly socket: net.Socket
  readonly send: (text: string) => void
  readonly until: (pattern: RegExp, ms?: number) => Promise<string>
  /** Stops reading as text (before handing the socket to TLS). */
  readonly detach: () => net.Socket
}

const open = new Set<net.Socket>()

afterEach(() => {
  for (const s of open) s.destroy()
  open.clear()
})

const raw = (socket: net.Socket): Raw => {
  open.add(socket)
  let buffer = ''
  let ended: string | undefined
  let wake: (() => void) | undefined
  const onData = (chunk: string): void => {
    buffer += chunk
    wake?.()
  }
  const onError = (e: Error): void => {
    ended = e.message
    wake?.()
  }
  const onClose = (): void => {
    ended ??= 'socket closed'
    wake?.()
  }
  socket.setEncoding('utf8')
  socket.on('data', onData)
  socket.on('error', onError)
  socket.on('close', onClose)
  return {
    socket,
    send: (text) => {
      socket.write(text)
    },
    until: (pattern, ms = 3000) =>
      new Promise<string>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer)
          wake = undefined
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`timeout waiting for ${pattern}; received: ${buffer.slice(0, 800)}`))
        }, ms)
        const check = (): void => {
          const m = pattern.exec(buffer)
          if (m !== null) {
            const end = m.index + m[0].length
            const text = buffer.slice(0, end)
            buffer = buffer.slice(end)
            done()
            resolve(text)
          } else if (ended !== undefined) {
            done()
            reject(new Error(`${ended} while waiting for ${pattern}; received: ${buffer}`))
          }
        }
        wake = check
        check()
      }),
    detach: () => {
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
      return socket
    },
  }
}

const tcp = ({ host, port }: Endpoint): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      socket.setNoDelay(true)
      resolve(raw(socket))
    })
  })

/** An element (self-closing, or up to its end tag: no nesting of the same name) with `id`. */
const withId = (name: string, id: string): RegExp =>
  new RegExp(`<${name}\\b(?=[^>]*\\sid=['"]${id}['"])[^>]*?(?:/>|>[\\s\\S]*?</${name}>)`)

const attr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\s${name}=['"]([^'"]*)['"]`).exec(tag)?.[1]

const HEADER = /<stream:stream\b[^>]*>/
const FEATURES = /<stream:features\b[^>]*(?:\/>|>[\s\S]*?<\/stream:features>)/

const c2sHeader = (domain: string): string =>
  `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xml:lang='en' ` +
  `xmlns='jabber:client' xmlns:stream='${NS_STREAM}'>`

/** Opens a c2s stream; resolves with the features. */
const openStream = async (conn: Raw, domain: string): Promise<string> => {
  conn.send(c2sHeader(domain))
  await conn.until(HEADER)
  return conn.until(FEATURES)
}

const plain = (a: Account): string =>
  Buffer.from(`\0${a.username}\0${a.password}`, 'utf8').toString('base64')

/** PLAIN over plain TCP (the config allows it), stream restart, bind; resolves with the JID. */
const login = async (account: Account, resource: string): Promise<{ conn: Raw; jid: string }> => {
  const { c2s, domain } = config()
  const conn = await tcp(c2s)
  await openStream(conn, domain)
  conn.send(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${plain(account)}</auth>`)
  const outcome = await conn.until(/<success\b[^>]*(?:\/>|<\/success>)|<\/failure>/)
  if (!outcome.includes('<success')) throw new Error(`login failed: ${outcome}`)
  const features = await openStream(conn, domain)
  expect(features).toContain('urn:ietf:params:xml:ns:xmpp-bind')
  conn.send(
    `<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>` +
      `<resource>${resource}</resource></bind></iq>`,
  )
  const bound = await conn.until(withId('iq', 'bind1'))
  const jid = /<jid>([^<]+)<\/jid>/.exec(bound)?.[1]
  if (jid === undefined) throw new Error(`bind failed: ${bound}`)
  return { conn, jid }
}

/** Ends our stream and waits for the server's end (or the socket closing). */
const closeStream = async (conn: Raw): Promise<void> => {
  conn.send('</stream:stream>')
  await conn.until(/<\/stream:stream>/).catch(() => undefined)
  conn.socket.end()
}

const componentHeader = (domain: string): string =>
  `<?xml version='1.0'?><stream:stream to='${domain}' ` +
  `xmlns='jabber:component:accept' xmlns:stream='${NS_STREAM}'>`

/** XEP-0114 §3: lowercase hex SHA-1 of the stream id followed by the secret. */
const handshake = (streamId: string, secret: string): string =>
  createHash('sha1')
    .update(streamId + secret, 'utf8')
    .digest('hex')

/** Opens the component stream and sends the handshake; resolves with what answers it. */
const component = async (secret: string): Promise<{ conn: Raw; answer: string }> => {
  const { component: c } = config()
  const conn = await tcp(c)
  conn.send(componentHeader(c.domain))
  const header = await conn.until(HEADER)
  const id = attr(header, 'id')
  if (id === undefined) throw new Error(`no stream id: ${header}`)
  conn.send(`<handshake>${handshake(id, secret)}</handshake>`)
  const answer = await conn.until(/<handshake\s*\/>|<handshake>\s*<\/handshake>|<\/stream:error>/)
  return { conn, answer }
}

describeIntegration('integration server (raw sockets)', () => {
  describe('c2s', () => {
    it('answers a stream header with features: STARTTLS, PLAIN and SCRAM-SHA-1', async () => {
      const { c2s, domain } = config()
      const conn = await tcp(c2s)
      const features = await openStream(conn, domain)
      expect(features).toMatch(/<starttls\b[^>]*urn:ietf:params:xml:ns:xmpp-tls/)
      expect(features).toContain('<mechanism>PLAIN</mechanism>')
      expect(features).toContain('<mechanism>SCRAM-SHA-1</mechanism>')
      await closeStream(conn)
    })

    it('STARTTLS: the certificate verifies against XMPP_CA for the domain', async () => {
      const { c2s, domain, ca } = config()
      const conn = await tcp(c2s)
      await openStream(conn, domain)
      conn.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`)
      await conn.until(/<proceed\b[^>]*\/>/)
      const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({ socket: conn.detach(), servername: domain, ca }, () => resolve(s))
        s.once('error', reject)
      })
      expect(secure.authorized).toBe(true)
      const sconn = raw(secure)
      const features = await openStream(sconn, domain)
      expect(features).not.toContain('<starttls')
      expect(features).toContain('<mechanism>PLAIN</mechanism>')
      await closeStream(sconn)
    })

    it('PLAIN over TCP as alice, bind, ping the server', async () => {
      const { domain } = config()
      const { conn, jid } = await login(config().user('alice'), 'smoke')
      expect(jid).toBe(`alice@${domain}/smoke`)
      conn.send(`<iq type='get' id='ping1' to='${domain}'><ping xmlns='urn:xmpp:ping'/></iq>`)
      const pong = await conn.until(withId('iq', 'ping1'))
      expect(attr(pong, 'type')).toBe('result')
      await closeStream(conn)
    })

    it('a wrong password fails with <not-authorized/>', async () => {
      const { c2s, domain } = config()
      const conn = await tcp(c2s)
      await openStream(conn, domain)
      const alice = config().user('alice')
      conn.send(
        `<auth xmlns='${NS_SASL}' mechanism='PLAIN'>` +
          `${plain({ ...alice, password: `${alice.password}-wrong` })}</auth>`,
      )
      expect(await conn.until(/<\/failure>/)).toContain('<not-authorized/>')
      await closeStream(conn)
    })

    it('every account in XMPP_USERS can log in', async () => {
      const { users, domain } = config()
      expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob']))
      for (const u of users) {
        const { conn, jid } = await login(u, 'smoke')
        expect(jid).toBe(`${u.username}@${domain}/smoke`)
        await closeStream(conn)
      }
    })
  })

  describe('component', () => {
    it('accepts the handshake with XMPP_COMPONENT_SECRET', async () => {
      const { conn, answer } = await component(config().component.secret)
      expect(answer).toMatch(/^\s*<handshake/)
      await closeStream(conn)
    })

    it('refuses a wrong secret with <not-authorized/>', async () => {
      const { conn, answer } = await component(`${config().component.secret}-wrong`)
      expect(answer).toContain('<not-authorized')
      conn.socket.end()
    })

    it('routes an IQ from alice to the component and its answer back', async () => {
      const { component: c } = config()
      const comp = await component(c.secret)
      expect(comp.answer).toMatch(/^\s*<handshake/)
      const { conn, jid } = await login(config().user('alice'), 'to-component')
      conn.send(`<iq type='get' id='cping' to='${c.domain}'><ping xmlns='urn:xmpp:ping'/></iq>`)
      const request = await comp.conn.until(withId('iq', 'cping'))
      expect(attr(request, 'from')).toBe(jid)
      expect(request).toContain('urn:xmpp:ping')
      comp.conn.send(`<iq type='result' id='cping' from='${c.domain}' to='${jid}'/>`)
      const answer = await conn.until(withId('iq', 'cping'))
      expect(attr(answer, 'type')).toBe('result')
      expect(attr(answer, 'from')).toBe(c.domain)
      await closeStream(conn)
      await closeStream(comp.conn)
    })
  })
})
