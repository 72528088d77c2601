/**
 * A fault-injection TCP proxy for the integration specs: the client connects to the proxy on
 * loopback, the proxy forwards to the real server, and the test breaks the link on purpose (cut,
 * stall, refuse, cut after n bytes) to exercise reconnection and stream management (XEP-0198).
 *
 * It is our own (`node:net` only) rather than toxiproxy or similar: no daemon to
 * install, no HTTP control API, and faults happen synchronously where the test calls them.
 *
 * Bytes are forwarded chunk by chunk, never parsed: a cut can fall in the middle of an element,
 * as a real network fault would. STARTTLS passes through unchanged (the client checks the
 * server's certificate against the XMPP domain, not against the proxy's address).
 *
 * @example
 * const proxy = await faultProxy(config().c2s)
 * const session = await connect({ service: `xmpp://127.0.0.1:${proxy.port}`, … })
 * proxy.cut() // both sockets reset; the client must reconnect (through the proxy again)
 * await proxy.close()
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'

/** `'up'`: client → server; `'down'`: server → client. */
export type Direction = 'up' | 'down'

export interface FaultProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number
  /** Live proxied connections (client side accepted, not yet closed). */
  readonly connections: number
  /** Connections accepted and forwarded so far (not counting those `refuse` turned away). */
  readonly accepted: number
  /** Connections turned away by `refuse` so far. */
  readonly refused: number
  /** Bytes forwarded so far, over all connections, per direction. */
  readonly bytes: { readonly up: number; readonly down: number }
  /**
   * Resets every live connection on both sides (RST, so each peer sees `ECONNRESET`, not an
   * orderly close): a dead link or a crashed middlebox. New connections are forwarded as usual.
   */
  cut(): void
  /**
   * A half-open link: sockets stay open but nothing moves either way, also on connections
   * accepted meanwhile (they connect, then hear nothing: a black hole). Until `resume()` or
   * `cut()`. The proxy stops reading rather than dropping, so TCP stays intact: what was sent
   * meanwhile is delivered on `resume()` (a link that came back); `cut()` loses it (one that
   * did not). Dropping bytes on a live TCP connection is not a fault TCP can produce.
   */
  stall(): void
  /** Ends a `stall()`: bytes held meanwhile are forwarded, in order. */
  resume(): void
  /**
   * For `ms` milliseconds, new connections are accepted and reset at once (the client sees its
   * connect succeed, then `ECONNRESET`); existing ones are untouched. The listener stays open so
   * the port cannot be lost. `refuse(0)` ends the window early.
   */
  refuse(ms: number): void
  /**
   * Arms a one-shot cut: once `n` more bytes have been forwarded in `direction` (counted over all
   * connections), exactly those `n` reach the other side, the rest of that chunk is dropped and
   * every live connection is cut as by `cut()`. `n = 0` cuts at the next chunk, forwarding none
   * of it. A later call replaces the armed one for that direction. The promise settles after the
   * cut (no need to await it). The cut waits until those bytes are in the kernel, as an RST
   * discards unsent ones; their receiver then reads them, followed by `ECONNRESET` or (Linux,
   * when the RST finds them unread) by a plain end of stream.
   */
  cutAfterBytes(n: number, direction: Direction): Promise<void>
  /**
   * Arms a one-shot cut between two top-level elements: the next chunk in `direction` that holds
   * an element boundary is forwarded up to it and the rest dropped; then every live connection is
   * reset on the client's side and ended (FIN, after everything forwarded) on the server's. The
   * server's parser holds no half element: a cut between stanzas, which is what Prosody 0.12
   * survives on resumption (docs/prosody.md, gotcha 11).
   */
  cutBetweenElements(direction: Direction): Promise<void>
  /** Stops listening and resets every connection. */
  close(): Promise<void>
}

interface Pair {
  readonly client: Socket
  readonly server: Socket
  /** The connection to the server is up (until then the client is not read). */
  connected: boolean
  /** `write` returned false on that side: stop reading the other until it drains. */
  readonly full: { up: boolean; down: boolean }
  /** A `cutAfterBytes` fired on this pair: forward nothing more, the cut is on its way. */
  doomed: boolean
}

interface Trip {
  /** Bytes still to forward before the cut; `undefined`: cut at the next element boundary. */
  left: number | undefined
  readonly done: () => void
}

/** How the top-level elements of our client's stream end (stanzas, and XEP-0198 nonzas). */
const endings = ['</message>', '</presence>', '</iq>', "sm:3'/>"].map((e) => Buffer.from(e))

/**
 * Where a chunk may be cut between two top-level elements of a client's stream: right after the
 * last end of a stanza or nonza in it (`-1` when there is none). A `>` followed by `<` is not
 * enough: `<message …><body>` has one inside an element.
 */
const lastBoundary = (chunk: Buffer): number => {
  let at = -1
  for (const e of endings) {
    const i = chunk.lastIndexOf(e)
    if (i >= 0) at = Math.max(at, i + e.length)
  }
  return at
}

/** RST where the platform can (Node ≥ 18.3 on TCP), plain destroy otherwise. */
const reset = (s: Socket): void => {
  if (s.destroyed) return
  try {
    s.resetAndDestroy()
  } catch {
    s.destroy()
  }
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export const faultProxy = (target: { host: string; port: number }): Promise<FaultProxy> => {
  const pairs = new Set<Pair>()
  const bytes = { up: 0, down: 0 }
  const trips: { up: Trip | undefined; down: Trip | undefined } = { up: undefined, down: undefined }
  let accepted = 0
  let refused = 0
  let stalled = false
  let refusingUntil = 0

  /** Reads a side only while it may move: not stalled, server connected, the other side drained. */
  const flow = (p: Pair): void => {
    const run = !stalled && !p.doomed
    const set = (s: Socket, on: boolean) => {
      if (s.destroyed) return
      if (on) s.resume()
      else s.pause()
    }
    set(p.client, run && p.connected && !p.full.up)
    set(p.server, run && !p.full.down)
  }

  const cutPair = (p: Pair): void => {
    pairs.delete(p)
    reset(p.client)
    reset(p.server)
  }

  const cutAll = (): void => {
    for (const p of [...pairs]) cutPair(p)
  }

  const forward = (p: Pair, from: Socket, to: Socket, dir: Direction): void => {
    from.on('data', (chunk: Buffer) => {
      if (p.doomed) return
      let data = chunk
      const trip = trips[dir]
      let fire = false
      if (trip !== undefined) {
        if (trip.left === undefined) {
          const at = lastBoundary(data)
          if (at >= 0) {
            data = data.subarray(0, at)
            trips[dir] = undefined
            fire = true
          }
        } else if (data.length >= trip.left) {
          data = data.subarray(0, trip.left)
          trips[dir] = undefined
          fire = true
        } else trip.left -= data.length
      }
      bytes[dir] += data.length
      if (fire) {
        // Stop every connection forwarding now, but cut only once the last bytes are in the
        // kernel: an RST discards what is still unsent, and "exactly n" would become "up to n".
        const doomed = [...pairs]
        for (const q of doomed) {
          q.doomed = true
          flow(q)
        }
        const between = trip?.left === undefined
        const finish = () => {
          for (const q of doomed) {
            if (!between) cutPair(q)
            else {
              // The server reads all it was sent, then an end of stream: were it reset, the
              // kernel would drop what it had not read yet, leaving half an element in its
              // parser (what Prosody 0.12 then feeds a resumed session: docs/prosody.md 11).
              pairs.delete(q)
              reset(q.client)
              q.server.end()
            }
          }
          trip?.done()
        }
        if (data.length === 0 || to.destroyed) finish()
        else to.write(data, finish)
        return
      }
      if (!to.write(data)) {
        p.full[dir] = true
        flow(p)
        to.once('drain', () => {
          p.full[dir] = false
          flow(p)
        })
      }
    })
    // Half-close travels on (XMPP closes with </stream:stream> and may FIN first); an error
    // (ECONNRESET, …) resets the other side too, so a fault on one leg is seen on both.
    from.on('end', () => {
      if (!to.destroyed) to.end()
    })
    from.on('error', () => cutPair(p))
    // A clean close means both directions of `from` ended, and so (by the relays above) both of
    // `to`, which then closes by itself.
    from.on('close', (hadError) => {
      if (hadError) cutPair(p)
      else pairs.delete(p)
    })
  }

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    if (Date.now() < refusingUntil) {
      refused++
      client.on('error', () => {})
      reset(client)
      return
    }
    accepted++
    client.setNoDelay(true)
    const upstream = tcpConnect({ host: target.host, port: target.port, allowHalfOpen: true })
    upstream.setNoDelay(true)
    upstream.pause()
    const p: Pair = {
      client,
      server: upstream,
      connected: false,
      full: { up: false, down: false },
      doomed: false,
    }
    pairs.add(p)
    forward(p, client, upstream, 'up')
    forward(p, upstream, client, 'down')
    upstream.once('connect', () => {
      p.connected = true
      flow(p)
    })
    flow(p)
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.address()
      if (address === null || typeof address === 'string') {
        reject(new Error('faultProxy: no TCP address'))
        return
      }
      resolve({
        port: address.port,
        get connections() {
          return pairs.size
        },
        get accepted() {
          return accepted
        },
        get refused() {
          return refused
        },
        get bytes() {
          return { up: bytes.up, down: bytes.down }
        },
        cut: cutAll,
        stall: () => {
          stalled = true
          for (const p of pairs) flow(p)
        },
        resume: () => {
          stalled = false
          for (const p of pairs) flow(p)
        },
        refuse: (ms) => {
          refusingUntil = Date.now() + ms
        },
        cutAfterBytes: (n, direction) => {
          if (!Number.isInteger(n) || n < 0) {
            return Promise.reject(new RangeError(`faultProxy: not a byte count: ${n}`))
          }
          return new Promise<void>((done) => {
            trips[direction] = { left: n, done }
          })
        },
        cutBetweenElements: (direction) =>
          new Promise<void>((done) => {
            trips[direction] = { left: undefined, done }
          }),
        close: () =>
          new Promise<void>((done) => {
            trips.up = undefined
            trips.down = undefined
            server.close(() => done())
            cutAll()
          }),
      })
    })
  })
}
