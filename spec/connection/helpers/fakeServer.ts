/**
 * A scripted fake c2s server on loopback (node:net, ephemeral port) for specs of the connection
 * layer, `connection.client` above all. It speaks just enough of RFC 6120 with `tls: 'none'`:
 * the stream header, features offering PLAIN, `<success/>` (or `<failure/>`), the restart,
 * features offering bind (and, per option, XEP-0198 `<sm/>` and XEP-0352 `<csi/>`), the bind
 * result. Everything after that is the spec's script: read what the client wrote (parsed with the
 * project's own `framer()`), write raw XML, answer `<enable/>`, `<resume/>`, `<r/>`, cut the
 * socket, end the stream with an error.
 *
 * Each accepted connection is a {@link Peer}, handed out in order by {@link FakeServer.next}.
 * A peer answers the client's `</stream:stream>` with its own and ends the socket (so a client's
 * `close()` is quick) unless told otherwise.
 *
 * Stream management bookkeeping, the server's side: once `<enabled/>` (or `<resumed/>`) is
 * written, `inbound` counts the stanzas read from the client (the server's `h`) and `outbound`
 * the stanzas written with `send` (what the client's `h` must be).
 */
import { randomUUID } from 'node:crypto'
import * as net from 'node:net'
import { type FrameEvent, framer } from '../../../src/connection/framer.js'
import type * as Xml from '../../../src/Xml.js'

export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
export const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind'
export const NS_SM = 'urn:xmpp:sm:3'
export const NS_CSI = 'urn:xmpp:csi:0'
export const NS_STREAMS = 'http://etherx.jabber.org/streams'
export const NS_STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams'
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

const DEFAULT_WAIT = 2_000

export interface FakeServerOptions {
  /** The server's domain (header `from`). Default `localhost`. */
  readonly domain?: string
  /** The full JID bind answers with. Default `alice@localhost/spec`. */
  readonly jid?: string
  /** Offer `<sm xmlns='urn:xmpp:sm:3'/>` after authentication. Default `false`. */
  readonly sm?: boolean
  /** Offer `<csi xmlns='urn:xmpp:csi:0'/>` after authentication. Default `false`. */
  readonly csi?: boolean
}

const stanzaNames: ReadonlySet<string> = new Set(['message', 'presence', 'iq'])

/** The text content of an element (its string children, concatenated). */
export const textOf = (el: Xml.XmlElement): string =>
  el.children.filter((c): c is string => typeof c === 'string').join('')

/** The first child element named `name` (in `ns`, when given). */
export const childOf = (
  el: Xml.XmlElement,
  name: string,
  ns?: string,
): Xml.XmlElement | undefined =>
  el.children.find(
    (c): c is Xml.XmlElement =>
      typeof c !== 'string' && c.name === name && (ns === undefined || c.ns === ns),
  )

const describe = (e: FrameEvent): string =>
  e._tag === 'Element' ? e.xml : e._tag === 'StreamError' ? `StreamError(${e.condition})` : e._tag

/** One accepted connection, scripted by the spec. */
export class Peer {
  readonly socket: net.Socket
  /** Every frame event the client's bytes made, in order (read or not). */
  readonly log: FrameEvent[] = []
  /** Answer the client's `</stream:stream>` with ours and end the socket. Default `true`. */
  answerClose = true
  /** The socket is closed (by either side). */
  gone = false
  /** The decoded SASL PLAIN payload of the last `<auth/>`, if any. */
  authPayload: string | undefined
  /** Stream management is on (after `<enabled/>` or `<resumed/>` written). */
  smOn = false
  /** Stanzas read from the client since SM went on (the server's `h`). */
  inbound = 0
  /** Stanzas written with `send` since SM went on. */
  outbound = 0
  readonly closed: Promise<void>

  private readonly f = framer()
  private readonly queue: FrameEvent[] = []
  private wake: (() => void) | undefined
  private readonly options: Required<FakeServerOptions>
  private streamId = 0

  constructor(socket: net.Socket, options: Required<FakeServerOptions>) {
    this.socket = socket
    this.options = options
    socket.setNoDelay(true)
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.gone = true
        this.wake?.()
        resolve()
      }),
    )
    socket.on('data', (d: Buffer) => {
      for (const e of this.f.push(d)) this.onEvent(e)
    })
  }

  private onEvent(e: FrameEvent): void {
    this.log.push(e)
    if (
      e._tag === 'Element' &&
      this.smOn &&
      stanzaNames.has(e.element.name) &&
      e.element.ns === 'jabber:client'
    )
      this.inbound += 1
    if (e._tag === 'StreamClose' && this.answerClose) {
      this.write('</stream:stream>')
      this.socket.end()
    }
    this.queue.push(e)
    this.wake?.()
  }

  // --- reading ----------------------------------------------------------------------

  /** The next frame event the client's bytes made; rejects after `ms` or once the socket closed. */
  async event(ms = DEFAULT_WAIT): Promise<FrameEvent> {
    const deadline = Date.now() + ms
    for (;;) {
      const e = this.queue.shift()
      if (e !== undefined) return e
      if (this.gone) throw new Error('fakeServer: the connection closed while reading')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`fakeServer: nothing read in ${ms} ms`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(t)
          this.wake = undefined
          resolve()
        }
      })
    }
  }

  /** The next top-level element (its parsed form and its text); anything else is an error. */
  async read(ms = DEFAULT_WAIT): Promise<Xml.XmlElement & { readonly xml: string }> {
    const e = await this.event(ms)
    if (e._tag !== 'Element')
      throw new Error(`fakeServer: expected an element, read ${describe(e)}`)
    return Object.assign(Object.create(null) as object, e.element, { xml: e.xml })
  }

  /** The next top-level element, which must be `<name/>` (in `ns`, when given). */
  async expect(
    name: string,
    ns?: string,
    ms = DEFAULT_WAIT,
  ): Promise<Xml.XmlElement & { readonly xml: string }> {
    const el = await this.read(ms)
    if (el.name !== name || (ns !== undefined && el.ns !== ns))
      throw new Error(
        `fakeServer: expected <${name}/>${ns === undefined ? '' : ` in ${ns}`}, read ${el.xml}`,
      )
    return el
  }

  /** Elements until (and with) the first for which `until` holds. */
  async readUntil(
    until: (el: Xml.XmlElement) => boolean,
    ms = DEFAULT_WAIT,
  ): Promise<ReadonlyArray<Xml.XmlElement & { readonly xml: string }>> {
    const deadline = Date.now() + ms
    const all: Array<Xml.XmlElement & { readonly xml: string }> = []
    for (;;) {
      const el = await this.read(Math.max(1, deadline - Date.now()))
      all.push(el)
      if (until(el)) return all
    }
  }

  /** The next `<stream:stream>` header the client wrote. */
  async header(ms = DEFAULT_WAIT): Promise<Readonly<Record<string, string>>> {
    const e = await this.event(ms)
    if (e._tag !== 'StreamOpen')
      throw new Error(`fakeServer: expected a header, read ${describe(e)}`)
    return e.attrs
  }

  /** What was made and not read yet (without waiting). */
  pending(): ReadonlyArray<FrameEvent> {
    return [...this.queue]
  }

  // --- writing ----------------------------------------------------------------------

  /** Writes raw XML. */
  write(xml: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(xml)
  }

  /** Writes one stanza and counts it (for the client's `h`) once stream management is on. */
  send(xml: string): void {
    this.write(xml)
    if (this.smOn) this.outbound += 1
  }

  /** Destroys the socket: a lost link, no close handshake. */
  cut(): void {
    this.socket.destroy()
  }

  /** `<stream:error><condition>content</condition></stream:error></stream:stream>`, then ends. */
  streamError(condition: string, content = ''): void {
    this.write(
      `<stream:error><${condition} xmlns='${NS_STREAM_ERRORS}'>${content}</${condition}></stream:error></stream:stream>`,
    )
    this.socket.end()
  }

  // --- negotiation ------------------------------------------------------------------

  private headerOut(): string {
    this.streamId += 1
    return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAMS}' from='${this.options.domain}' id='s-${this.streamId}' version='1.0' xml:lang='en'>`
  }

  /** Reads the client's header, writes ours and features offering PLAIN. */
  async open(): Promise<Readonly<Record<string, string>>> {
    const attrs = await this.header()
    this.write(
      `${this.headerOut()}<stream:features><mechanisms xmlns='${NS_SASL}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
    )
    return attrs
  }

  /** Reads `<auth/>`; writes `<success/>` (and expects a restart) or a `not-authorized` failure. */
  async auth(outcome: 'success' | 'not-authorized' = 'success'): Promise<void> {
    const el = await this.expect('auth', NS_SASL)
    this.authPayload = Buffer.from(textOf(el), 'base64').toString('utf8')
    if (outcome === 'success') {
      // Both sides restart (RFC 6120 §6.4.6): bytes of the old stream must not leak into the new.
      this.f.reset()
      this.write(`<success xmlns='${NS_SASL}'/>`)
    } else
      this.write(
        `<failure xmlns='${NS_SASL}'><not-authorized/><text xml:lang='en'>Unable to authorize you</text></failure>`,
      )
  }

  /** Reads the restarted header; writes ours and features: bind, and `<sm/>`, `<csi/>` per option. */
  async restart(offer: { readonly sm?: boolean; readonly csi?: boolean } = {}): Promise<void> {
    await this.header()
    const sm = offer.sm ?? this.options.sm
    const csi = offer.csi ?? this.options.csi
    this.write(
      `${this.headerOut()}<stream:features><bind xmlns='${NS_BIND}'/>${sm ? `<sm xmlns='${NS_SM}'/>` : ''}${csi ? `<csi xmlns='${NS_CSI}'/>` : ''}</stream:features>`,
    )
  }

  /** Header, PLAIN, restart: the client is authenticated and may bind or resume. */
  async login(offer: { readonly sm?: boolean; readonly csi?: boolean } = {}): Promise<void> {
    await this.open()
    await this.auth()
    await this.restart(offer)
  }

  /** Reads the bind request, answers it with `jid` (default: the server's). */
  async bind(jid: string = this.options.jid): Promise<void> {
    const iq = await this.expect('iq', 'jabber:client')
    if (childOf(iq, 'bind', NS_BIND) === undefined)
      throw new Error(`fakeServer: expected a bind request, read ${iq.xml}`)
    this.write(
      `<iq type='result' id='${iq.attrs.id ?? ''}'><bind xmlns='${NS_BIND}'><jid>${jid}</jid></bind></iq>`,
    )
  }

  /** `login` then `bind`: the client is online. */
  async online(offer: { readonly sm?: boolean; readonly csi?: boolean } = {}): Promise<void> {
    await this.login(offer)
    await this.bind()
  }

  /** Reads `<enable/>`, answers `<enabled id resume='true'/>`; counting starts. Returns the id. */
  async enable(
    id: string = randomUUID(),
  ): Promise<{ readonly id: string; readonly resume: string | undefined }> {
    const el = await this.expect('enable', NS_SM)
    this.write(`<enabled xmlns='${NS_SM}' id='${id}' resume='true'/>`)
    this.smOn = true
    this.inbound = 0
    this.outbound = 0
    return { id, resume: el.attrs.resume }
  }

  /** Reads `<resume previd h/>`. */
  async resumeRequest(): Promise<{ readonly previd: string | undefined; readonly h: number }> {
    const el = await this.expect('resume', NS_SM)
    return { previd: el.attrs.previd, h: Number(el.attrs.h) }
  }

  /** Writes `<resumed previd h/>`: counting goes on from `h` (ours) and `outbound`. */
  resumed(previd: string, h: number, outbound = 0): void {
    this.write(`<resumed xmlns='${NS_SM}' previd='${previd}' h='${h}'/>`)
    this.smOn = true
    this.inbound = h
    this.outbound = outbound
  }

  /** Writes `<failed><item-not-found/></failed>`. */
  failed(): void {
    this.write(`<failed xmlns='${NS_SM}'><item-not-found xmlns='${NS_STANZAS}'/></failed>`)
  }
}

export interface FakeServer {
  readonly port: number
  /** `xmpp://127.0.0.1:<port>`. */
  readonly service: string
  /** Connections accepted so far. */
  readonly accepted: () => number
  /** The next connection not handed out yet, in order of arrival; rejects after `ms`. */
  readonly next: (ms?: number) => Promise<Peer>
  /** Destroys every connection and stops listening. */
  readonly close: () => Promise<void>
}

/** Listens on 127.0.0.1, port 0. */
export const fakeServer = async (options: FakeServerOptions = {}): Promise<FakeServer> => {
  const o: Required<FakeServerOptions> = {
    domain: options.domain ?? 'localhost',
    jid: options.jid ?? 'alice@localhost/spec',
    sm: options.sm ?? false,
    csi: options.csi ?? false,
  }
  const peers: Peer[] = []
  const sockets = new Set<net.Socket>()
  let handed = 0
  let wake: (() => void) | undefined
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    peers.push(new Peer(socket, o))
    wake?.()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('fakeServer: no port')
  const next = async (ms = DEFAULT_WAIT): Promise<Peer> => {
    const deadline = Date.now() + ms
    for (;;) {
      const p = peers[handed]
      if (p !== undefined) {
        handed += 1
        return p
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`fakeServer: no connection in ${ms} ms`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        wake = () => {
          clearTimeout(t)
          wake = undefined
          resolve()
        }
      })
    }
  }
  return {
    port: address.port,
    service: `xmpp://127.0.0.1:${address.port}`,
    accepted: () => peers.length,
    next,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A loopback port nothing listens on (bound, then released). */
export const closedPort = async (): Promise<number> => {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()))
  const address = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('closedPort: no port')
  return address.port
}
