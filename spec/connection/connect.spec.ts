/**
 * `connection.connect` against an in-process fake server on loopback (node:net, ephemeral
 * port): each test scripts the server's side of the exchange with regular expressions over what
 * the client wrote. No Prosody here; spec/integration has the real server.
 */

import { execFileSync } from 'node:child_process'
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs'
import { connect } from '../../src/connection/connect.js'
import * as S from '../../src/connection/Session.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as rx from '../../src/rx/index.js'
import type { Stanza } from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'

// -------------------------------------------------------------------------------------
// the fake server
// -------------------------------------------------------------------------------------

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind'
const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s-1' version='1.0' xml:lang='en'>"

/** One accepted connection: what the client wrote, consumed by `read`. */
class Peer {
  private buf = ''
  private wake: (() => void) | undefined
  ended = false
  socket: net.Socket
  constructor(socket: net.Socket) {
    this.socket = socket
    this.listen(socket)
  }

  private readonly onData = (d: Buffer): void => {
    this.buf += d.toString('latin1') // bytes as they came: TLS records too
    this.wake?.()
  }
  private readonly onEnd = (): void => {
    this.ended = true
    this.wake?.()
  }

  private listen(socket: net.Socket): void {
    socket.on('data', this.onData)
    socket.on('end', this.onEnd)
    socket.on('error', () => undefined)
  }

  /** STARTTLS, server side (RFC 6120 §5.4.3.3): TLS over the same socket. */
  async startTls(key: string, cert: string): Promise<void> {
    const raw = this.socket
    raw.off('data', this.onData)
    raw.off('end', this.onEnd)
    this.buf = ''
    const secure = new tls.TLSSocket(raw, { isServer: true, key, cert })
    this.socket = secure
    this.listen(secure)
    await new Promise<void>((resolve, reject) => {
      secure.once('secure', resolve)
      secure.once('error', reject)
      secure.once('close', () => reject(new Error('closed during the TLS handshake')))
    })
  }

  /** Waits for `re` in the unread input and consumes it (and everything before it). */
  async read(re: RegExp, ms = 2000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms
    for (;;) {
      const m = re.exec(this.buf)
      if (m !== null) {
        this.buf = this.buf.slice(m.index + m[0].length)
        return m
      }
      if (this.ended) throw new Error(`client ended; waiting for ${re}; have ${this.buf}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timeout waiting for ${re}; have ${this.buf}`)
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
    if (!this.socket.destroyed) this.socket.write(Buffer.from(s, 'utf8'))
  }

  /** The unread input. */
  get rest(): string {
    return this.buf
  }
}

interface Fake {
  readonly service: string
  readonly port: number
  /** Resolves with the script's outcome (rejects if the script threw). */
  readonly done: Promise<void>
}

const servers: net.Server[] = []

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()))
})

/** A server that runs `script` on its first connection (TLS from the start with `secure`). */
const fake = async (
  script: (peer: Peer) => Promise<void>,
  secure?: { readonly key: string; readonly cert: string },
): Promise<Fake> => {
  const server = secure === undefined ? net.createServer() : tls.createServer(secure)
  const started = new Promise<Peer>((resolve) =>
    server.once(secure === undefined ? 'connection' : 'secureConnection', (socket: net.Socket) =>
      resolve(new Peer(socket)),
    ),
  )
  const done = started.then(async (peer) => {
    try {
      await script(peer)
    } finally {
      // After the script: answer the client's close (RFC 6120 §4.4), or drop it eventually.
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
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { service: `xmpp://127.0.0.1:${address.port}`, port: address.port, done }
}

const attr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`)
    .exec(tag)
    ?.slice(1)
    .find((v) => v !== undefined)

const features = (...children: ReadonlyArray<string>): string =>
  `<stream:features>${children.join('')}</stream:features>`

const mechanisms = (...names: ReadonlyArray<string>): string =>
  `<mechanisms xmlns='${NS_SASL}'>${names.map((n) => `<mechanism>${n}</mechanism>`).join('')}</mechanisms>`

const BIND_FEATURES = features(
  `<bind xmlns='${NS_BIND}'/>`,
  "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>",
)

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64')
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8')

/** Reads one stanza-ish element `<name …>…</name>` or `<name …/>`. */
const readElement = (peer: Peer, name: string, ms?: number): Promise<RegExpExecArray> =>
  peer.read(new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>[\\s\\S]*?</${name}>)`), ms)

/** Opening: header + features offering `mechs`. */
const open = async (peer: Peer, ...mechs: ReadonlyArray<string>): Promise<void> => {
  await peer.read(/<stream:stream[^>]*>/)
  peer.write(HEADER + features(mechanisms(...mechs)))
}

/** PLAIN: checks the credentials; answers success or not-authorized. */
const plainAuth = async (peer: Peer, user: string, password: string): Promise<boolean> => {
  const m = await peer.read(/<auth [^>]*mechanism=['"]PLAIN['"][^>]*>([^<]*)<\/auth>/)
  const [, authcid, pw] = unb64(m[1] ?? '').split('\0')
  if (authcid === user && pw === password) {
    peer.write(`<success xmlns='${NS_SASL}'/>`)
    return true
  }
  peer.write(
    `<failure xmlns='${NS_SASL}'><not-authorized/><text xml:lang='en'>Unable to authorize you</text></failure>`,
  )
  return false
}

/** After SASL: restart, bind features, answer the bind with `full`. */
const bindAs = async (peer: Peer, full: string): Promise<string | undefined> => {
  await peer.read(/<stream:stream[^>]*>/)
  peer.write(HEADER.replace("id='s-1'", "id='s-2'") + BIND_FEATURES)
  const m = await readElement(peer, 'iq')
  const id = attr(m[0], 'id')
  const resource = /<resource>([^<]*)<\/resource>/.exec(m[0])?.[1]
  peer.write(`<iq type='result' id='${id}'><bind xmlns='${NS_BIND}'><jid>${full}</jid></bind></iq>`)
  return resource
}

/** SCRAM server side (RFC 5802 §3) for one exchange. */
const scramServer = (hash: 'sha1' | 'sha256', password: string, iterations = 4096) => {
  const salt = randomBytes(16)
  const len = hash === 'sha1' ? 20 : 32
  const salted = pbkdf2Sync(password, salt, iterations, len, hash)
  const hmac = (key: Buffer, s: string): Buffer => createHmac(hash, key).update(s).digest()
  const clientKey = hmac(salted, 'Client Key')
  const storedKey = createHash(hash).update(clientKey).digest()
  const serverKey = hmac(salted, 'Server Key')
  let clientFirstBare = ''
  let serverFirst = ''
  return {
    first(clientFirst: string): string {
      clientFirstBare = clientFirst.replace(/^[^,]*,[^,]*,/, '')
      const cnonce = /(?:^|,)r=([^,]*)/.exec(clientFirstBare)?.[1] ?? ''
      serverFirst = `r=${cnonce}srvnonce,s=${salt.toString('base64')},i=${iterations}`
      return serverFirst
    },
    /** The server-final-message, or undefined if the proof is wrong. */
    final(clientFinal: string): string | undefined {
      const withoutProof = clientFinal.replace(/,p=[^,]*$/, '')
      const proof = Buffer.from(/,p=([^,]*)$/.exec(clientFinal)?.[1] ?? '', 'base64')
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`
      const signature = hmac(storedKey, authMessage)
      const key = Buffer.alloc(len)
      for (let i = 0; i < len; i++) key[i] = (proof[i] ?? 0) ^ (signature[i] ?? 0)
      if (!createHash(hash).update(key).digest().equals(storedKey)) return undefined
      return `v=${hmac(serverKey, authMessage).toString('base64')}`
    },
  }
}

const ME = 'alice@localhost/spec'
const PLAIN_OK = { tls: 'none', allowPlainWithoutTls: true, timeout: 2000 } as const

/** A server that logs alice in with PLAIN and binds ME, then runs `then`. */
const loggedIn = (then: (peer: Peer) => Promise<void>): Promise<Fake> =>
  fake(async (peer) => {
    await open(peer, 'PLAIN')
    await plainAuth(peer, 'alice', 'pw')
    await bindAs(peer, ME)
    await then(peer)
  })

const login = (f: Fake, extra: Partial<Parameters<typeof connect>[0]> = {}) =>
  connect({
    service: f.service,
    domain: 'localhost',
    username: 'alice',
    password: 'pw',
    resource: 'spec',
    ...PLAIN_OK,
    ...extra,
  })

const rejection = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )

const pingEl = Xml.element('ping', 'urn:xmpp:ping')
const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(s)
  return r.right
}

const statuses = (s: S.Session): Promise<ReadonlyArray<string>> =>
  lastValueFrom(s.status.pipe(toArray())).then((all) =>
    all.map((x) => (x._tag === 'Closed' ? `Closed:${x.reason._tag}` : x._tag)),
  )

// -------------------------------------------------------------------------------------
// specs
// -------------------------------------------------------------------------------------

describe('connection/connect', () => {
  describe('login', () => {
    it('PLAIN without TLS when allowed: binds, session.jid is the bound JID', async () => {
      let resource: string | undefined
      const f = await fake(async (peer) => {
        const header = await peer.read(/<stream:stream[^>]*>/)
        expect(attr(header[0], 'to')).toBe('localhost')
        expect(attr(header[0], 'version')).toBe('1.0')
        peer.write(HEADER + features(mechanisms('PLAIN')))
        expect(await plainAuth(peer, 'alice', 'pw')).toBe(true)
        resource = await bindAs(peer, ME)
        await peer.read(/<\/stream:stream>/)
        peer.write('</stream:stream>')
        peer.socket.end()
      })
      const session = await login(f)
      expect(session.jid).toBe(ME)
      expect(resource).toBe('spec')
      await session.close()
      expect(await statuses(session)).toEqual(['Connecting', 'Online', 'Closed:Ended'])
      await f.done
    })

    it('PLAIN is refused without TLS unless allowed: AuthFailure invalid-mechanism, no password sent', async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'PLAIN')
        await new Promise((r) => setTimeout(r, 50))
        expect(peer.rest).not.toMatch(/<auth/)
      })
      const e = await rejection(login(f, { allowPlainWithoutTls: false }))
      expect(S.isAuthFailure(e) && e.condition).toBe('invalid-mechanism')
      await f.done
    })

    it('bad password: AuthFailure with the SASL condition and text', async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'PLAIN')
        await plainAuth(peer, 'alice', 'right')
      })
      const e = await rejection(login(f, { password: 'wrong' }))
      expect(e).toEqual({
        _tag: 'AuthFailure',
        condition: 'not-authorized',
        text: 'Unable to authorize you',
      })
      await f.done
    })

    it.each([
      ['SCRAM-SHA-1', 'sha1', ['PLAIN', 'SCRAM-SHA-1']],
      ['SCRAM-SHA-256', 'sha256', ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256']],
    ] as const)(
      '%s: picks the strongest offered and verifies the server signature',
      async (mech, hash, offered) => {
        const f = await fake(async (peer) => {
          await open(peer, ...offered)
          const auth = await peer.read(/<auth [^>]*mechanism=['"]([^'"]+)['"][^>]*>([^<]*)<\/auth>/)
          expect(auth[1]).toBe(mech)
          const server = scramServer(hash, 'pencil')
          const clientFirst = unb64(auth[2] ?? '')
          expect(clientFirst).toMatch(/^n,,n=alice,r=/)
          peer.write(`<challenge xmlns='${NS_SASL}'>${b64(server.first(clientFirst))}</challenge>`)
          const response = await peer.read(/<response [^>]*>([^<]*)<\/response>/)
          const final = server.final(unb64(response[1] ?? ''))
          expect(final).toBeDefined()
          peer.write(`<success xmlns='${NS_SASL}'>${b64(final ?? '')}</success>`)
          await bindAs(peer, ME)
        })
        const session = await login(f, { password: 'pencil', allowPlainWithoutTls: true })
        expect(session.jid).toBe(ME)
        await session.close()
        await f.done
      },
    )

    it('SCRAM: a server that cannot prove the password is not trusted (AuthFailure)', async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'SCRAM-SHA-1')
        const auth = await peer.read(/<auth [^>]*>([^<]*)<\/auth>/)
        const server = scramServer('sha1', 'other password')
        peer.write(
          `<challenge xmlns='${NS_SASL}'>${b64(server.first(unb64(auth[1] ?? '')))}</challenge>`,
        )
        await peer.read(/<response [^>]*>([^<]*)<\/response>/)
        // a made-up signature
        peer.write(`<success xmlns='${NS_SASL}'>${b64(`v=${b64(randomBytes(20))}`)}</success>`)
        await peer.read(/<\/stream:stream>/)
      })
      const e = await rejection(login(f, { password: 'pencil' }))
      expect(S.isAuthFailure(e)).toBe(true)
      await f.done
    })

    describe('failures print usefully, without credentials or SASL payloads', () => {
      /** Everything a log or an unhandled rejection could show of `e`. */
      const printed = (e: unknown): string => {
        expect(e).toBeInstanceOf(Error)
        const err = e as Error
        return [String(err), err.stack ?? '', JSON.stringify(err), inspect(err)].join('\n')
      }

      it('PLAIN refused: AuthFailure names the condition and text, not the password', async () => {
        let payload = ''
        const f = await fake(async (peer) => {
          await open(peer, 'PLAIN')
          payload = (await peer.read(/<auth [^>]*>([^<]*)<\/auth>/))[1] ?? ''
          peer.write(
            `<failure xmlns='${NS_SASL}'><not-authorized/><text xml:lang='en'>Unable to authorize you</text></failure>`,
          )
        })
        const e = await rejection(login(f, { password: 'Plain-Secret-41' }))
        expect(String(e)).toBe('AuthFailure: not-authorized: "Unable to authorize you"')
        const all = printed(e)
        expect(payload.length).toBeGreaterThan(8)
        expect(all).not.toContain('Plain-Secret-41')
        expect(all).not.toContain(payload)
        await f.done
      })

      it('SCRAM with a forged server signature: no password, proof or exchanged payload', async () => {
        const sent: string[] = []
        let serverFirst = ''
        const f = await fake(async (peer) => {
          await open(peer, 'SCRAM-SHA-1')
          const auth = (await peer.read(/<auth [^>]*>([^<]*)<\/auth>/))[1] ?? ''
          serverFirst = scramServer('sha1', 'other').first(unb64(auth))
          peer.write(`<challenge xmlns='${NS_SASL}'>${b64(serverFirst)}</challenge>`)
          const response = (await peer.read(/<response [^>]*>([^<]*)<\/response>/))[1] ?? ''
          sent.push(auth, unb64(auth), response, unb64(response))
          peer.write(`<success xmlns='${NS_SASL}'>${b64(`v=${b64(randomBytes(20))}`)}</success>`)
          await peer.read(/<\/stream:stream>/)
        })
        const e = await rejection(login(f, { password: 'Scram-Secret-42' }))
        expect(String(e)).toMatch(/^AuthFailure: [a-z-]+: "SCRAM[^"]*"$/)
        const all = printed(e)
        expect(all).not.toContain('Scram-Secret-42')
        const proof = /,p=([^,]+)$/.exec(sent[3] ?? '')?.[1] ?? ''
        const nonce = /^r=([^,]+)/.exec(serverFirst)?.[1] ?? ''
        for (const secret of [...sent, proof, nonce, b64(serverFirst)]) {
          expect(secret.length).toBeGreaterThan(8)
          expect(all).not.toContain(secret)
        }
        await f.done
      })

      it('a challenge that is not base64: AuthFailure says so without echoing it', async () => {
        const f = await fake(async (peer) => {
          await open(peer, 'SCRAM-SHA-256')
          await peer.read(/<auth [^>]*>([^<]*)<\/auth>/)
          peer.write(`<challenge xmlns='${NS_SASL}'>%%not-base64-challenge%%</challenge>`)
          await peer.read(/<\/stream:stream>/)
        })
        const e = await rejection(login(f))
        expect(String(e)).toBe(
          `AuthFailure: incorrect-encoding: "the server's <challenge/> is not base64"`,
        )
        expect(printed(e)).not.toContain('not-base64-challenge')
        await f.done
      })

      it('Timeout and TlsFailure: the stage, the reason', async () => {
        const silent = await fake(async (peer) => {
          await peer.read(/<stream:stream[^>]*>/)
        })
        const t = await rejection(login(silent, { timeout: 150 }))
        expect(String(t)).toBe('Timeout: timed out during stream header')
        expect((t as Error).stack).toMatch(/^Timeout: timed out during stream header\n\s+at /)
        await silent.done
        const plainOnly = await fake(async (peer) => {
          await open(peer, 'PLAIN')
          await peer.read(/<\/stream:stream>/)
        })
        const refused = await rejection(login(plainOnly, { tls: 'required' }))
        expect(String(refused)).toBe('TlsFailure: the server does not offer STARTTLS')
        await plainOnly.done
      })
    })

    it('bind failure: BindFailure with the stanza error condition', async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'PLAIN')
        await plainAuth(peer, 'alice', 'pw')
        await peer.read(/<stream:stream[^>]*>/)
        peer.write(HEADER + BIND_FEATURES)
        const m = await readElement(peer, 'iq')
        peer.write(
          `<iq type='error' id='${attr(m[0], 'id')}'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
        )
      })
      const e = await rejection(login(f))
      expect(e).toEqual({ _tag: 'BindFailure', condition: 'conflict' })
      await f.done
    })

    it('a bound JID at another domain: BindFailure, the session never goes online', async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'PLAIN')
        await plainAuth(peer, 'alice', 'pw')
        await bindAs(peer, 'alice@evil.example/x')
        await peer.read(/<\/stream:stream>/)
      })
      const e = await rejection(login(f))
      expect(e).toEqual({
        _tag: 'BindFailure',
        condition: 'undefined-condition',
        text: 'the server bound a JID at another domain',
      })
      await f.done
    })

    it('a bound JID with another localpart at our domain is accepted (RFC 6120 §7.7.2.2)', async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'PLAIN')
        await plainAuth(peer, 'alice', 'pw')
        await bindAs(peer, 'alice2@localhost/other')
        await peer.read(/<\/stream:stream>/)
        peer.write('</stream:stream>')
        peer.socket.end()
      })
      const session = await login(f)
      expect(session.jid).toBe('alice2@localhost/other')
      await session.close()
      await f.done
    })

    it("tls 'required' and no STARTTLS offered: TlsFailure before any credentials", async () => {
      const f = await fake(async (peer) => {
        await open(peer, 'PLAIN')
        await peer.read(/<\/stream:stream>/)
        expect(peer.rest).not.toMatch(/<auth/)
      })
      const e = await rejection(login(f, { tls: 'required' }))
      expect(S.isTlsFailure(e)).toBe(true)
      await f.done
    })

    it('a server that requires STARTTLS while tls is none: TlsFailure', async () => {
      const f = await fake(async (peer) => {
        await peer.read(/<stream:stream[^>]*>/)
        peer.write(
          HEADER +
            features(
              "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>",
              mechanisms('PLAIN'),
            ),
        )
      })
      const e = await rejection(login(f))
      expect(S.isTlsFailure(e)).toBe(true)
      await f.done
    })

    it('STARTTLS refused by the server: TlsFailure', async () => {
      const f = await fake(async (peer) => {
        await peer.read(/<stream:stream[^>]*>/)
        peer.write(
          HEADER +
            features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", mechanisms('PLAIN')),
        )
        await peer.read(/<starttls [^>]*\/>/)
        peer.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
      })
      const e = await rejection(login(f, { tls: 'starttls-if-offered' }))
      expect(e).toEqual({ _tag: 'TlsFailure', message: 'the server refused STARTTLS' })
      await f.done
    })

    // Needs the openssl CLI to make a throw-away certificate; skipped without it.
    const haveOpenssl = ((): boolean => {
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' })
        return true
      } catch {
        return false
      }
    })()
    ;(haveOpenssl ? describe : describe.skip)('with a certificate (openssl)', () => {
      let dir = ''
      let cert = { key: '', cert: '' }
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'stanzakit-tls-'))
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '2',
            '-subj',
            '/CN=localhost',
            '-addext',
            'subjectAltName=DNS:localhost',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        )
        cert = {
          key: readFileSync(join(dir, 'key.pem'), 'utf8'),
          cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
        }
      })
      afterAll(() => {
        if (dir !== '') rmSync(dir, { recursive: true, force: true })
      })

      const starttlsServer = (then: (peer: Peer) => Promise<void>) =>
        fake(async (peer) => {
          await peer.read(/<stream:stream[^>]*>/)
          peer.write(
            HEADER +
              features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", mechanisms('PLAIN')),
          )
          await peer.read(/<starttls [^>]*\/>/)
          peer.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
          await peer.startTls(cert.key, cert.cert)
          await then(peer)
        })

      it('STARTTLS, then PLAIN over TLS without allowPlainWithoutTls', async () => {
        const f = await starttlsServer(async (peer) => {
          await open(peer, 'PLAIN', 'SCRAM-SHA-1')
          await plainAuth(peer, 'alice', 'pw')
          await bindAs(peer, ME)
        })
        const session = await login(f, {
          tls: 'required',
          allowPlainWithoutTls: false,
          mechanisms: ['PLAIN'],
          ca: cert.cert,
        })
        expect(session.jid).toBe(ME)
        await session.close()
        await f.done
      })

      it('STARTTLS with an untrusted certificate: TlsFailure', async () => {
        const f = await fake(async (peer) => {
          await peer.read(/<stream:stream[^>]*>/)
          peer.write(
            HEADER +
              features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", mechanisms('PLAIN')),
          )
          await peer.read(/<starttls [^>]*\/>/)
          peer.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
          await peer.startTls(cert.key, cert.cert).catch(() => undefined)
        })
        const e = await rejection(login(f, { tls: 'required' }))
        expect(S.isTlsFailure(e)).toBe(true)
        await f.done
      })

      it('a certificate for another name: TlsFailure', async () => {
        const f = await starttlsServer(async () => undefined)
        const e = await rejection(
          login(f, { tls: 'required', domain: 'example.org', ca: cert.cert }),
        )
        expect(S.isTlsFailure(e)).toBe(true)
        await f.done.catch(() => undefined)
      })

      it('direct TLS (xmpps://, XEP-0368): no STARTTLS, PLAIN allowed', async () => {
        const f = await fake(async (peer) => {
          await open(peer, 'PLAIN')
          await plainAuth(peer, 'alice', 'pw')
          await bindAs(peer, ME)
        }, cert)
        const session = await login(f, {
          service: f.service.replace('xmpp://', 'xmpps://'),
          tls: 'required',
          allowPlainWithoutTls: false,
          ca: cert.cert,
        })
        expect(session.jid).toBe(ME)
        await session.close()
        await f.done
      })
    })

    it('a TLS handshake that fails: TlsFailure', async () => {
      const f = await fake(async (peer) => {
        await peer.read(/<stream:stream[^>]*>/)
        peer.write(
          HEADER +
            features("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", mechanisms('PLAIN')),
        )
        await peer.read(/<starttls [^>]*\/>/)
        peer.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await peer.read(/\x16\x03/) // a ClientHello arrives; answer it with nonsense
        peer.write('this is not TLS\n')
      })
      const e = await rejection(login(f, { tls: 'required' }))
      expect(S.isTlsFailure(e)).toBe(true)
      await f.done
    })

    it('stream error during negotiation: StreamError from the server', async () => {
      const f = await fake(async (peer) => {
        await peer.read(/<stream:stream[^>]*>/)
        peer.write(
          `${HEADER}<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`,
        )
      })
      const e = await rejection(login(f))
      expect(e).toEqual({ _tag: 'StreamError', condition: 'host-unknown', origin: 'server' })
      await f.done
    })

    it('refused connection: ConnectionRefused', async () => {
      const server = net.createServer()
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('no port')
      await new Promise<void>((r) => server.close(() => r()))
      const e = await rejection(
        connect({
          service: `xmpp://127.0.0.1:${address.port}`,
          domain: 'localhost',
          username: 'alice',
          password: 'pw',
          ...PLAIN_OK,
        }),
      )
      expect(e).toMatchObject({
        _tag: 'ConnectionRefused',
        host: '127.0.0.1',
        port: address.port,
        code: 'ECONNREFUSED',
      })
    })

    it('a silent server: Timeout, nothing hangs', async () => {
      const f = await fake(async (peer) => {
        await peer.read(/<stream:stream[^>]*>/)
      })
      const t0 = Date.now()
      const e = await rejection(login(f, { timeout: 150 }))
      expect(e).toEqual({ _tag: 'Timeout', stage: 'stream header' })
      expect(Date.now() - t0).toBeLessThan(1000)
      await f.done
    })

    it('programmer errors throw at once: tls none off loopback, bad URL, bad timeout', () => {
      const base = { domain: 'example.com', username: 'a', password: 'b' }
      expect(() => connect({ ...base, service: 'xmpp://example.com:5222', tls: 'none' })).toThrow(
        RangeError,
      )
      expect(() => connect({ ...base, service: 'http://example.com' })).toThrow(RangeError)
      expect(() => connect({ ...base, service: 'xmpp://127.0.0.1', timeout: -1 })).toThrow(
        RangeError,
      )
    })
  })

  describe('online', () => {
    it('rx.request: a ping to the server is answered', async () => {
      const f = await loggedIn(async (peer) => {
        const m = await readElement(peer, 'iq')
        expect(m[0]).toMatch(/<ping xmlns=['"]urn:xmpp:ping['"]\/>/)
        expect(attr(m[0], 'to')).toBe('localhost')
        peer.write(`<iq type='result' id='${attr(m[0], 'id')}' from='localhost'/>`)
      })
      const session = await login(f)
      const r = await firstValueFrom(rx.request(session)(Iq.get(pingEl, { to: jid('localhost') })))
      expect(r.type).toBe('result')
      await session.close()
      await f.done
    })

    it('one socket write per stanza; 100 requests in flight all settle', async () => {
      const f = await loggedIn(async (peer) => {
        for (let i = 0; i < 100; i++) {
          const m = await readElement(peer, 'iq')
          peer.write(`<iq type='result' id='${attr(m[0], 'id')}' from='localhost'/>`)
        }
      })
      const session = await login(f)
      const write = jest.spyOn(net.Socket.prototype, 'write')
      const all = await Promise.all(
        Array.from({ length: 100 }, () =>
          rx.send(session)(Iq.get(pingEl, { to: jid('localhost') })),
        ),
      )
      expect(all.every((r) => r?.type === 'result')).toBe(true)
      const pings = write.mock.calls.filter(
        ([d]) => typeof d === 'string' && d.includes('urn:xmpp:ping'),
      )
      write.mockRestore()
      expect(pings).toHaveLength(100)
      expect(pings.every(([d]) => typeof d === 'string' && /^<iq [\s\S]*<\/iq>$/.test(d))).toBe(
        true,
      )
      await session.close()
      await f.done
    })

    it('rx.serve answers the server’s ping; incoming stanzas are decoded records', async () => {
      const f = await loggedIn(async (peer) => {
        peer.write(
          "<message from='bob@localhost/x' to='alice@localhost/spec' type='chat'><body>hi &amp; bye</body></message>",
        )
        peer.write("<iq type='get' id='srv-1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
        const m = await readElement(peer, 'iq')
        expect(attr(m[0], 'type')).toBe('result')
        expect(attr(m[0], 'id')).toBe('srv-1')
        expect(attr(m[0], 'to')).toBe('localhost')
      })
      const session = await login(f)
      const seen: Stanza[] = []
      session.incoming.subscribe((s) => seen.push(s))
      rx.serve(session, [
        { name: 'ping', ns: 'urn:xmpp:ping', handle: (req: Iq.Request) => Iq.result(req) },
      ])
      await f.done
      expect(seen[0]).toMatchObject({ kind: 'message', body: 'hi & bye', from: 'bob@localhost/x' })
      await session.close()
    })

    it('stanza-level fault: an iq get that does not decode gets bad-request; a bad message is dropped', async () => {
      const f = await loggedIn(async (peer) => {
        peer.write("<message from='bob@localhost/x'><body>a</body><body>b</body></message>")
        peer.write(
          "<iq type='get' id='bad-1' from='bob@localhost/x'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>",
        )
        peer.write("<message from='bob@localhost/x'><body>ok</body></message>")
        const m = await readElement(peer, 'iq')
        expect(attr(m[0], 'type')).toBe('error')
        expect(attr(m[0], 'id')).toBe('bad-1')
        expect(attr(m[0], 'to')).toBe('bob@localhost/x')
        expect(m[0]).toMatch(/<bad-request xmlns=['"]urn:ietf:params:xml:ns:xmpp-stanzas['"]\/>/)
      })
      const session = await login(f)
      const seen: Stanza[] = []
      session.incoming.subscribe((s) => seen.push(s))
      await f.done
      await new Promise((r) => setTimeout(r, 20))
      expect(seen).toEqual([expect.objectContaining({ kind: 'message', body: 'ok' })])
      await session.close()
    })

    it('stream-level fault: we close with the stream error; status says so; incoming completes', async () => {
      const f = await loggedIn(async (peer) => {
        peer.write("<foo xmlns='urn:example'/>")
        const m = await peer.read(/<stream:error>([\s\S]*?)<\/stream:error><\/stream:stream>/)
        expect(m[1]).toMatch(/<unsupported-stanza-type /)
      })
      const session = await login(f)
      const done = lastValueFrom(session.incoming.pipe(toArray()))
      await f.done
      expect(await done).toEqual([])
      const last = await lastValueFrom(session.status)
      expect(last).toMatchObject({
        _tag: 'Closed',
        reason: { _tag: 'StreamError', condition: 'unsupported-stanza-type', origin: 'client' },
      })
    })

    it('a limit exceeded: policy-violation stream error', async () => {
      const f = await loggedIn(async (peer) => {
        peer.write(`<message from='bob@localhost/x'><body>${'x'.repeat(5000)}</body></message>`)
        const m = await peer.read(/<stream:error>([\s\S]*?)<\/stream:error>/)
        expect(m[1]).toMatch(/<policy-violation /)
      })
      const session = await login(f, { limits: { maxBytes: 1024 } })
      await f.done
      const last = await lastValueFrom(session.status)
      expect(last).toMatchObject({
        _tag: 'Closed',
        reason: { _tag: 'StreamError', condition: 'policy-violation', origin: 'client' },
      })
    })

    it('stream error from the server: typed StreamError; pending requests fail with IqClosed', async () => {
      const f = await loggedIn(async (peer) => {
        await readElement(peer, 'iq')
        peer.write(
          "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error></stream:stream>",
        )
        await peer.read(/<\/stream:stream>/)
      })
      const session = await login(f)
      const failure = await rejection(rx.send(session)(Iq.get(pingEl, { to: jid('localhost') })))
      expect(failure).toMatchObject({ _tag: 'IqClosed' })
      const last = await lastValueFrom(session.status)
      expect(last).toEqual({
        _tag: 'Closed',
        reason: {
          _tag: 'StreamError',
          condition: 'conflict',
          text: 'Replaced by new connection',
          origin: 'server',
        },
      })
      await f.done
    })

    it('socket closed mid-session: pending requests fail with IqClosed; status SocketClosed', async () => {
      const f = await loggedIn(async (peer) => {
        await readElement(peer, 'iq')
        peer.socket.destroy()
      })
      const session = await login(f)
      const failure = await rejection(rx.send(session)(Iq.get(pingEl, { to: jid('localhost') })))
      expect(rx.isIqClosed(failure)).toBe(true)
      const last = await lastValueFrom(session.status)
      expect(last).toMatchObject({ _tag: 'Closed', reason: { _tag: 'SocketClosed' } })
      // sending afterwards is a no-op; requests fail at once
      session.send(Iq.get(pingEl))
      expect(rx.isIqClosed(await rejection(rx.send(session)(Iq.get(pingEl))))).toBe(true)
      await f.done
    })

    it('the server closes the stream: we answer with ours; SocketClosed', async () => {
      const f = await loggedIn(async (peer) => {
        peer.write('</stream:stream>')
        await peer.read(/<\/stream:stream>/)
        peer.socket.end()
      })
      const session = await login(f)
      await f.done
      const last = await lastValueFrom(session.status)
      expect(last).toMatchObject({ _tag: 'Closed', reason: { _tag: 'SocketClosed' } })
    })

    it('close(): bounded when the server never answers', async () => {
      const f = await loggedIn(async (peer) => {
        await peer.read(/<\/stream:stream>/)
        // no answer
      })
      const session = await login(f, { timeout: 200 })
      const t0 = Date.now()
      await session.close()
      expect(Date.now() - t0).toBeLessThan(1500)
      expect(await statuses(session)).toEqual(['Connecting', 'Online', 'Closed:Ended'])
      await f.done
    })

    it('stanzas split across writes, byte by byte, are framed', async () => {
      const f = await loggedIn(async (peer) => {
        const xml =
          "<message from='bob@localhost/x' type='chat'><body>caf\u00e9 \u{1F600}</body></message>"
        for (const byte of Buffer.from(xml, 'utf8')) {
          peer.socket.write(Buffer.from([byte]))
          await new Promise((r) => setImmediate(r))
        }
      })
      const session = await login(f)
      const m = await firstValueFrom(session.incoming)
      expect(m).toMatchObject({ kind: 'message', body: 'caf\u00e9 \u{1F600}' })
      await session.close()
      await f.done
    })

    it('no rx.serve: the session answers a get/set with service-unavailable, nothing else (RFC 6120 §8.4)', async () => {
      const f = await loggedIn(async (peer) => {
        // a roster push from a stranger (ignored), a result (never answered), then a get and a set
        peer.write(
          "<iq type='set' id='push-1' from='mallory@evil.example/x'><query xmlns='jabber:iq:roster'/></iq>",
        )
        peer.write("<iq type='result' id='res-1' from='localhost'/>")
        peer.write("<iq type='get' id='get-1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
        peer.write(
          "<iq type='set' id='set-1' from='bob@localhost/x'><query xmlns='urn:example:nothing'/></iq>",
        )
        for (const [id, to] of [
          ['get-1', 'localhost'],
          ['set-1', 'bob@localhost/x'],
        ] as const) {
          const m = await readElement(peer, 'iq')
          expect(attr(m[0], 'type')).toBe('error')
          expect(attr(m[0], 'id')).toBe(id)
          expect(attr(m[0], 'to')).toBe(to)
          expect(m[0]).toMatch(
            /<service-unavailable xmlns=['"]urn:ietf:params:xml:ns:xmpp-stanzas['"]\/>/,
          )
        }
        expect(peer.rest).not.toMatch(/<iq/)
      })
      const session = await login(f)
      await f.done
      await session.close()
    })

    it('with rx.serve: only the serves answer, once each, the first subscribed first', async () => {
      const f = await loggedIn(async (peer) => {
        peer.write("<iq type='get' id='p-1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
        peer.write("<iq type='get' id='u-1' from='localhost'><query xmlns='urn:example:x'/></iq>")
        const ping = await readElement(peer, 'iq')
        expect([attr(ping[0], 'type'), attr(ping[0], 'id')]).toEqual(['result', 'p-1'])
        expect(ping[0]).toMatch(/<first xmlns=['"]urn:example['"]\/>/)
        const unknown = await readElement(peer, 'iq')
        expect([attr(unknown[0], 'type'), attr(unknown[0], 'id')]).toEqual(['error', 'u-1'])
        expect(unknown[0]).toMatch(/<feature-not-implemented /)
        // a last round trip: nothing else was written before its answer
        peer.write("<iq type='get' id='p-2' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
        const last = await readElement(peer, 'iq')
        expect(attr(last[0], 'id')).toBe('p-2')
        expect(peer.rest).not.toMatch(/<iq/)
      })
      const session = await login(f)
      const first = Xml.element('first', 'urn:example')
      rx.serve(session, [{ ns: 'urn:xmpp:ping', handle: (r: Iq.Request) => Iq.result(r, first) }])
      rx.serve(session, [{ ns: 'urn:xmpp:ping', handle: (r: Iq.Request) => Iq.result(r) }], {
        unhandledCondition: 'service-unavailable',
      })
      await f.done
      await session.close()
    })
  })
})

describe('connection/connect: trace', () => {
  const STREAM_NS = 'http://etherx.jabber.org/streams'
  const OUT_HEADER = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${STREAM_NS}' to='localhost' version='1.0'>`
  const inHeader = (id: string): string =>
    `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAM_NS}' from='localhost' id='${id}' version='1.0' xml:lang='en'>`

  it('PLAIN: the headers both ways, the features, <auth> redacted, never the password', async () => {
    const password = 'hunter2-trace-SECRET'
    const f = await fake(async (peer) => {
      await open(peer, 'PLAIN')
      expect(await plainAuth(peer, 'alice', password)).toBe(true)
      await bindAs(peer, ME)
    })
    const events: S.TraceEvent[] = []
    const session = await login(f, { password, trace: (e) => events.push(e) })
    await f.done
    await session.close()
    const shown = events.map((e) => `${e.direction} ${e.xml}`)
    expect(shown.slice(0, 8)).toEqual([
      `out ${OUT_HEADER}`,
      `in ${inHeader('s-1')}`,
      `in <stream:features xmlns:stream='${STREAM_NS}'><mechanisms xmlns='${NS_SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
      `out <auth xmlns='${NS_SASL}' mechanism='PLAIN'>[redacted]</auth>`,
      `in <success xmlns='${NS_SASL}'/>`,
      `out ${OUT_HEADER}`,
      `in ${inHeader('s-2')}`,
      `in ${BIND_FEATURES.replace('<stream:features>', `<stream:features xmlns:stream='${STREAM_NS}'>`)}`,
    ])
    expect(shown[8]).toMatch(/^out <iq [^>]*type='set'[^>]*><bind [^>]*><resource>spec<\/resource>/)
    expect(shown[9]).toMatch(/^in <iq type='result'.*<jid>alice@localhost\/spec<\/jid>/)
    expect(shown.slice(10)).toEqual(['out </stream:stream>', 'in </stream:stream>'])
    const all = JSON.stringify(events)
    expect(all).not.toContain(password)
    expect(all).not.toContain(b64(`\0alice\0${password}`))
    expect(all).not.toContain(b64(password))
  })

  it('SCRAM: <auth>, <challenge>, <response> and <success> all redacted', async () => {
    const password = 'pencil-trace-SECRET'
    const exchanged: string[] = []
    const f = await fake(async (peer) => {
      await open(peer, 'SCRAM-SHA-256')
      const auth = await peer.read(/<auth [^>]*>([^<]*)<\/auth>/)
      const server = scramServer('sha256', password)
      const challenge = b64(server.first(unb64(auth[1] ?? '')))
      peer.write(`<challenge xmlns='${NS_SASL}'>${challenge}</challenge>`)
      const response = await peer.read(/<response [^>]*>([^<]*)<\/response>/)
      const success = b64(server.final(unb64(response[1] ?? '')) ?? '')
      peer.write(`<success xmlns='${NS_SASL}'>${success}</success>`)
      exchanged.push(auth[1] ?? '', challenge, response[1] ?? '', success)
      await bindAs(peer, ME)
    })
    const events: S.TraceEvent[] = []
    const session = await login(f, { password, trace: (e) => events.push(e) })
    await f.done
    await session.close()
    const sasl = events
      .filter((e) => /^<(auth|challenge|response|success)\s/.test(e.xml))
      .map((e) => `${e.direction} ${e.xml}`)
    expect(sasl).toEqual([
      `out <auth xmlns='${NS_SASL}' mechanism='SCRAM-SHA-256'>[redacted]</auth>`,
      `in <challenge xmlns='${NS_SASL}'>[redacted]</challenge>`,
      `out <response xmlns='${NS_SASL}'>[redacted]</response>`,
      `in <success xmlns='${NS_SASL}'>[redacted]</success>`,
    ])
    expect(exchanged.every((p) => p.length > 0)).toBe(true)
    const all = JSON.stringify(events)
    for (const secret of [password, ...exchanged]) expect(all).not.toContain(secret)
  })
})
