/**
 * The transport under a session: one TCP (or TLS) socket and the stream framer on top of it.
 * Internal. Two ways to read:
 *
 * - **pull**, while negotiating: `next(stage, deadline)` awaits the next frame event, bounded;
 * - **push**, once online: `attach(sink, onEnd)` hands every event to `sink` as it is framed.
 *
 * The link never throws at its users: a socket that fails or closes settles the pending `next`
 * with a {@link SessionError} and calls `onEnd` once.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import type { Limits } from '../../Xml.js'
import { type FrameEvent, type Framer, framer } from '../framer.js'
import * as S from '../Session.js'
import { frameText, redact } from './trace.js'

// -------------------------------------------------------------------------------------
// service URLs
// -------------------------------------------------------------------------------------

/** Where to connect: `xmpp://host:port` (TCP) or `xmpps://host:port` (direct TLS, XEP-0368). */
export interface Service {
  readonly directTls: boolean
  readonly host: string
  readonly port: number
}

/**
 * Parses a service URL; an unusable one is a programmer error (`RangeError`). IPv6 hosts come
 * in brackets (`xmpp://[::1]:5222`).
 */
export const parseService = (
  service: string,
  defaults: { readonly xmpp: number; readonly xmpps: number },
): Service => {
  let url: URL
  try {
    url = new URL(service)
  } catch {
    throw new RangeError(`connection: not a service URL: ${JSON.stringify(service)}`)
  }
  const directTls = url.protocol === 'xmpps:'
  if (!directTls && url.protocol !== 'xmpp:')
    throw new RangeError(
      `connection: the service must be xmpp://host:port or xmpps://host:port, got ${JSON.stringify(service)}`,
    )
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new RangeError(`connection: no host in ${JSON.stringify(service)}`)
  const port = url.port === '' ? (directTls ? defaults.xmpps : defaults.xmpp) : Number(url.port)
  return { directTls, host, port }
}

/** 127.0.0.0/8, ::1 and `localhost`: the only hosts `tls: 'none'` may talk to. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' ||
  host === '::1' ||
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
  /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(host)

/** Checks a timeout option: a number of ms > 0 (or `Infinity`); anything else throws. */
export const checkTimeout = (name: string, value: number | undefined, fallback: number): number => {
  const v = value ?? fallback
  if (typeof v !== 'number' || !(v > 0))
    throw new RangeError(`connection: ${name} must be a number of ms > 0, got ${String(v)}`)
  return v
}

// -------------------------------------------------------------------------------------
// the link
// -------------------------------------------------------------------------------------

export interface OpenOptions {
  readonly service: Service
  /** SNI and the name the certificate must match (our XMPP domain, XEP-0368 §3). */
  readonly servername: string
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer> | undefined
  /** `Date.now()` value by which the connection must be up. */
  readonly deadline: number
  readonly limits: Partial<Limits> | undefined
  /** ALPN for direct TLS (`xmpp-client`, XEP-0368). */
  readonly alpn: string
  /** Every top-level element in and out, credentials redacted (see `internal/trace.ts`). */
  readonly trace?: S.Trace | undefined
}

type Sock = net.Socket | tls.TLSSocket

interface Waiter {
  readonly resolve: (e: FrameEvent) => void
  readonly reject: (e: S.SessionError) => void
  readonly timer: ReturnType<typeof setTimeout>
}

const refusedCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'ECONNRESET',
])

const codeOf = (e: unknown): string | undefined => {
  const c =
    typeof e === 'object' && e !== null ? (e as { readonly code?: unknown }).code : undefined
  return typeof c === 'string' ? c : undefined
}

/** Duck-typed: errors from Node's own realm fail `instanceof Error` inside a vm (Jest). */
const messageOf = (e: unknown): string => {
  const m = typeof e === 'object' && e !== null ? (e as { readonly message?: unknown }).message : e
  return typeof m === 'string' ? m : 'unknown error'
}

const remaining = (deadline: number): number => Math.max(0, deadline - Date.now())

/** How long a socket may take to close after we ended it before it is destroyed. */
const LINGER = 1_000

/**
 * How long one macrotask may spend framing and delivering before the link yields (pauses the
 * socket, carries on after `setImmediate`): a flood of small stanzas must not stall timers and
 * other sockets (bench `e2e:flood` reports the event-loop lag).
 */
const SLICE_MS = 8

/** Bytes framed at a time (see `Link.drain`). */
const PIECE = 16 * 1024

const uncork = (link: Link, s: Sock): void => {
  link.corked = false
  s.uncork()
}

/** A socket plus its framer. */
export class Link {
  private socket: Sock
  private readonly framer: Framer
  private readonly queue: FrameEvent[] = []
  private waiter: Waiter | undefined = undefined
  private sink: ((e: FrameEvent) => void) | undefined = undefined
  private onEnd: ((reason: S.SessionError) => void) | undefined = undefined
  private holding = false
  /** Set once the socket is gone (or being torn down): the reason. */
  private failure: S.SessionError | undefined = undefined
  private lastError: unknown = undefined
  private tlsActive: boolean
  private ended = false
  readonly closed: Promise<void>
  private markClosed: () => void = () => undefined
  private readonly trace: S.Trace | undefined
  /** Chunks read while the link yields (see {@link SLICE_MS}), oldest first. */
  private readonly backlog: Buffer[] = []
  /** When the current slice began, or `undefined` between slices. */
  private sliceStart: number | undefined = undefined
  /** The socket is paused because the slice was spent. */
  private paused = false
  /** `Date.now()` of the last byte received: what keepalive measures silence from. */
  lastRead = Date.now()

  private constructor(
    socket: Sock,
    secure: boolean,
    limits: Partial<Limits> | undefined,
    trace: S.Trace | undefined,
  ) {
    this.socket = socket
    this.tlsActive = secure
    this.trace = trace
    this.framer = framer(limits === undefined ? {} : { limits })
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve
    })
    this.listen(socket)
  }

  /** Whether the stream is encrypted (direct TLS or after STARTTLS). */
  get secure(): boolean {
    return this.tlsActive
  }

  /**
   * Opens the TCP connection (or the direct TLS one) with `TCP_NODELAY` (docs/prosody.md gotcha 2).
   * Rejects with `ConnectionRefused`, `TlsFailure` or `Timeout`.
   */
  static open(o: OpenOptions): Promise<Link> {
    const { host, port, directTls } = o.service
    return new Promise<Link>((resolve, reject) => {
      let tcpUp = false
      let settled = false
      const socket: Sock = directTls
        ? tls.connect({
            host,
            port,
            servername: o.servername,
            ALPNProtocols: [o.alpn],
            ...(o.ca === undefined ? {} : { ca: o.ca as string | Buffer | Array<string | Buffer> }),
          })
        : net.connect({ host, port })
      socket.setNoDelay(true)
      const timer = setTimeout(() => fail(S.timeout('connect')), remaining(o.deadline))
      const cleanup = (): void => {
        settled = true
        clearTimeout(timer)
        socket.off('error', onError)
        socket.off('connect', onTcp)
        socket.off(directTls ? 'secureConnect' : 'connect', onUp)
      }
      const fail = (e: S.SessionError): void => {
        if (settled) return
        cleanup()
        socket.on('error', () => undefined)
        socket.destroy()
        reject(e)
      }
      const onError = (err: unknown): void => {
        const code = codeOf(err)
        fail(
          !tcpUp && (code === undefined || refusedCodes.has(code))
            ? S.connectionRefused(host, port, messageOf(err), code)
            : directTls
              ? S.tlsFailure(messageOf(err))
              : S.socketClosed(messageOf(err)),
        )
      }
      const onTcp = (): void => {
        tcpUp = true
      }
      const onUp = (): void => {
        if (settled) return
        cleanup()
        resolve(new Link(socket, directTls, o.limits, o.trace))
      }
      socket.on('error', onError)
      socket.on('connect', onTcp)
      socket.on(directTls ? 'secureConnect' : 'connect', onUp)
    })
  }

  // --- reading ---------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    if (this.failure !== undefined) return
    this.lastRead = Date.now()
    this.backlog.push(chunk)
    this.drain()
  }

  /**
   * Frames what was read, in pieces of {@link PIECE} bytes, until this turn's slice is spent;
   * then the socket pauses and the rest waits for the next turn ({@link endSlice}). Pieces
   * because one 64 KiB chunk of small stanzas takes about 6 ms to frame and deliver (bench
   * `e2e` flood: event-loop lag); the framer is chunk-proof, so any cut is fine.
   */
  private drain(): void {
    if (this.sliceStart === undefined) {
      this.sliceStart = performance.now()
      setImmediate(this.endSlice)
    }
    const backlog = this.backlog
    while (backlog.length > 0 && this.failure === undefined) {
      if (performance.now() - this.sliceStart >= SLICE_MS) {
        if (!this.paused) {
          this.paused = true
          this.socket.pause()
        }
        return
      }
      const head = backlog[0] as Buffer
      if (head.length <= PIECE) {
        backlog.shift()
        this.consume(head)
      } else {
        backlog[0] = head.subarray(PIECE)
        this.consume(head.subarray(0, PIECE))
      }
    }
    if (this.failure !== undefined) backlog.length = 0
  }

  /**
   * A new turn of the event loop: a new slice for what waited. Reading resumes only once the
   * backlog is empty; a chunk the socket delivers on resuming counts against the same slice.
   */
  private readonly endSlice = (): void => {
    this.sliceStart = undefined
    if (this.backlog.length > 0) this.drain()
    if (this.backlog.length === 0 && this.paused) {
      this.paused = false
      if (!this.socket.destroyed) this.socket.resume()
    }
  }

  private consume(chunk: Buffer): void {
    const events = this.framer.push(chunk)
    const trace = this.trace
    if (trace !== undefined)
      for (const e of events) {
        const xml = frameText(e)
        if (xml !== undefined) trace({ direction: 'in', xml })
      }
    const sink = this.sink
    if (sink !== undefined && !this.holding) {
      for (let i = 0; i < events.length; i++) {
        sink(events[i] as FrameEvent)
        if (this.failure !== undefined) return
      }
      return
    }
    for (let i = 0; i < events.length; i++) this.queue.push(events[i] as FrameEvent)
    this.wake()
  }

  private readonly onError = (err: unknown): void => {
    this.lastError = err
  }

  private readonly onClose = (): void => {
    if (this.failure === undefined) {
      const err = this.lastError
      const code = codeOf(err)
      this.failure =
        err === undefined
          ? S.socketClosed('the connection was closed')
          : code !== undefined && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))
            ? S.tlsFailure(messageOf(err))
            : S.socketClosed(messageOf(err))
    }
    this.markClosed()
    this.wake()
    this.notifyEnd()
  }

  private listen(s: Sock): void {
    s.on('data', this.onData)
    s.on('error', this.onError)
    s.on('close', this.onClose)
  }

  private unlisten(s: Sock): void {
    s.off('data', this.onData)
    s.off('error', this.onError)
    s.off('close', this.onClose)
  }

  private wake(): void {
    const w = this.waiter
    if (w === undefined) return
    const e = this.queue.shift()
    if (e !== undefined) {
      this.waiter = undefined
      clearTimeout(w.timer)
      w.resolve(e)
    } else if (this.failure !== undefined) {
      this.waiter = undefined
      clearTimeout(w.timer)
      w.reject(this.failure)
    }
  }

  private notifyEnd(): void {
    if (this.holding || this.failure === undefined) return
    const f = this.onEnd
    this.onEnd = undefined
    f?.(this.failure)
  }

  /**
   * The next frame event, or a rejection: the socket's end (`SocketClosed`, `TlsFailure`) or
   * `Timeout(stage)` at `deadline`. One waiter at a time.
   */
  next(stage: string, deadline: number): Promise<FrameEvent> {
    const e = this.queue.shift()
    if (e !== undefined) return Promise.resolve(e)
    if (this.failure !== undefined) return Promise.reject(this.failure)
    return new Promise<FrameEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        reject(S.timeout(stage))
      }, remaining(deadline))
      this.waiter = { resolve, reject, timer }
    })
  }

  /**
   * Push mode: every event (those already queued first, on a later macrotask, so the caller's
   * continuation can subscribe before anything is delivered) goes to `sink`; `onEnd` is called
   * once when the socket is gone.
   */
  attach(sink: (e: FrameEvent) => void, onEnd: (reason: S.SessionError) => void): void {
    this.sink = sink
    this.onEnd = onEnd
    this.holding = true
    setImmediate(() => {
      while (this.failure === undefined) {
        const e = this.queue.shift()
        if (e === undefined) break
        sink(e)
      }
      this.queue.length = 0
      this.holding = false
      this.notifyEnd()
    })
  }

  // --- writing ---------------------------------------------------------------------

  /**
   * Writes a string in one socket write; a no-op once the socket is going. Writes made in the
   * same tick are corked and leave in one system call at the end of it (`writev`): a burst of
   * requests costs one packet, and a single stanza is not delayed past the current tick.
   */
  write(data: string): void {
    if (this.ended || this.failure !== undefined) return
    const s = this.socket
    if (!this.corked) {
      this.corked = true
      s.cork()
      process.nextTick(uncork, this, s)
    }
    s.write(data)
    if (this.trace !== undefined) this.traceOut(data)
  }

  private traceOut(data: string): void {
    const trace = this.trace as S.Trace
    // A stream error goes out with the close tag in one write: two elements, two events.
    const close = '</stream:stream>'
    if (data.length > close.length && data.endsWith(close)) {
      trace({ direction: 'out', xml: redact(data.slice(0, -close.length)) })
      trace({ direction: 'out', xml: close })
    } else trace({ direction: 'out', xml: redact(data) })
  }

  /** Bytes written and not yet handed to the kernel: what a peer that stops reading piles up. */
  get buffered(): number {
    return this.socket.writableLength
  }

  /** Calls `f` once the write buffer has drained (at once when it is empty). */
  onDrain(f: () => void): void {
    if (this.socket.writableLength === 0) f()
    else this.socket.once('drain', f)
  }

  /** @internal */
  corked = false

  // --- stream restarts -------------------------------------------------------------

  /** A new stream on the same connection (RFC 6120 §5.4.3.3, §6.4.6): the framer starts over. */
  restart(): void {
    this.queue.length = 0
    this.framer.reset()
  }

  /**
   * STARTTLS (RFC 6120 §5.4.3.3): TLS over the existing socket, certificate checked against
   * `servername` (trusting `ca` when given). Rejects with `TlsFailure`, `SocketClosed` or
   * `Timeout('tls')`.
   */
  startTls(
    servername: string,
    ca: string | Buffer | ReadonlyArray<string | Buffer> | undefined,
    deadline: number,
  ): Promise<void> {
    const raw = this.socket
    this.unlisten(raw)
    this.restart()
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const secure = tls.connect({
        socket: raw,
        servername,
        ...(ca === undefined ? {} : { ca: ca as string | Buffer | Array<string | Buffer> }),
      })
      const timer = setTimeout(() => fail(S.timeout('tls')), remaining(deadline))
      const finish = (): void => {
        settled = true
        clearTimeout(timer)
        secure.off('secureConnect', onUp)
        secure.off('error', onError)
        secure.off('close', onClose)
      }
      const fail = (e: S.SessionError): void => {
        if (settled) return
        finish()
        this.failure = e
        secure.on('error', () => undefined)
        secure.destroy()
        raw.destroy()
        this.markClosed()
        reject(e)
      }
      const onError = (err: unknown): void => fail(S.tlsFailure(messageOf(err)))
      const onClose = (): void =>
        fail(S.tlsFailure('the connection closed during the TLS handshake'))
      const onUp = (): void => {
        if (settled) return
        finish()
        this.socket = secure
        this.tlsActive = true
        this.listen(secure)
        resolve()
      }
      secure.on('secureConnect', onUp)
      secure.on('error', onError)
      secure.on('close', onClose)
    })
  }

  // --- closing ---------------------------------------------------------------------

  /**
   * Writes `last` (if any), then half-closes; the socket is destroyed if it has not closed
   * within a second. Further writes are dropped.
   */
  end(last?: string): void {
    if (this.ended) return
    this.ended = true
    const s = this.socket
    if (!s.destroyed && s.writable) {
      if (last !== undefined) {
        s.write(last)
        if (this.trace !== undefined) this.traceOut(last)
      }
      s.end()
    }
    const t = setTimeout(() => s.destroy(), LINGER)
    t.unref()
    void this.closed.then(() => clearTimeout(t))
  }

  /** Drops the connection now. */
  destroy(): void {
    this.ended = true
    this.socket.destroy()
  }

  /** Marks the link as gone for `reason` before the socket says so (our own decision to end). */
  fail(reason: S.SessionError): void {
    if (this.failure === undefined) this.failure = reason
  }

  /** The reason the link ended, once it has. */
  get reason(): S.SessionError | undefined {
    return this.failure
  }
}
