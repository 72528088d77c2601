/**
 * A minimal authoritative DNS responder over UDP on loopback, for specs that exercise real
 * `node:dns` lookups (SRV resolution, XEP-0368). It answers SRV queries (type 33) from a table
 * and NXDOMAIN for every name it does not know; `silent` makes it swallow every query, to play
 * an unreachable resolver.
 *
 * Hand-written on purpose: it is about a hundred lines of RFC 1035 wire format, while the npm
 * packages that run a test DNS server pull in a full DNS stack (or are unmaintained), and the
 * specs only need one record type. Targets are written label by label without validation, so a
 * spec can serve hostile names (spaces, underscores, control bytes) the way a hostile server
 * would.
 */
import * as dgram from 'node:dgram'

export interface SrvAnswer {
  readonly priority: number
  readonly weight: number
  readonly port: number
  /** `.` (or `''`) is the root: "service decidedly not available" (RFC 2782). */
  readonly target: string
}

export interface DnsServer {
  /** `127.0.0.1:<port>`, for `Resolver.setServers`. */
  readonly address: string
  /** Every question seen, as `name/type` (lower-cased name), in arrival order. */
  readonly queries: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

export interface DnsServerOptions {
  /**
   * SRV answers by owner name (lower case, no trailing dot). A name with `[]` exists without
   * SRV records (NOERROR, no answers: ENODATA); a name that is absent is NXDOMAIN.
   */
  readonly srv?: Readonly<Record<string, ReadonlyArray<SrvAnswer>>>
  /** Never answer: the client's query times out. */
  readonly silent?: boolean
}

const SRV = 33
const NOERROR = 0
const FORMERR = 1
const NXDOMAIN = 3

/** Reads the question name at `offset` (no compression in queries); `undefined` if malformed. */
const readName = (msg: Buffer, offset: number): { name: string; end: number } | undefined => {
  const labels: string[] = []
  let i = offset
  for (;;) {
    const len = msg[i]
    if (len === undefined || len > 63) return undefined
    i += 1
    if (len === 0) break
    if (i + len > msg.length) return undefined
    labels.push(msg.toString('latin1', i, i + len))
    i += len
  }
  return { name: labels.join('.'), end: i }
}

/** A name as wire labels; the root (`.` or `''`) is the single zero byte. */
const encodeName = (name: string): Buffer => {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name
  const parts = trimmed === '' ? [] : trimmed.split('.')
  return Buffer.concat([
    ...parts.map((p) => {
      const label = Buffer.from(p, 'latin1')
      return Buffer.concat([Buffer.from([label.length]), label])
    }),
    Buffer.from([0]),
  ])
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

const srvRecord = (a: SrvAnswer): Buffer => {
  const rdata = Buffer.concat([u16(a.priority), u16(a.weight), u16(a.port), encodeName(a.target)])
  const ttl = Buffer.alloc(4)
  ttl.writeUInt32BE(60)
  // 0xc00c: a pointer to the question name at offset 12, the owner of every answer.
  return Buffer.concat([u16(0xc00c), u16(SRV), u16(1), ttl, u16(rdata.length), rdata])
}

/** The reply to one query: header, the question echoed as received, then the answers. */
const reply = (query: Buffer, options: DnsServerOptions, seen: string[]): Buffer | undefined => {
  if (query.length < 12) return undefined
  const id = query.readUInt16BE(0)
  const flags = query.readUInt16BE(2)
  const opcode = (flags >> 11) & 0xf
  const rd = flags & 0x0100
  const header = (rcode: number, ancount: number, qdcount: number): Buffer =>
    Buffer.concat([
      u16(id),
      // QR = 1, the query's opcode, AA = 1, RD echoed, RA = 0.
      u16(0x8000 | (opcode << 11) | 0x0400 | rd | rcode),
      u16(qdcount),
      u16(ancount),
      u16(0),
      u16(0),
    ])
  const q = query.readUInt16BE(4) === 1 ? readName(query, 12) : undefined
  if (q === undefined || q.end + 4 > query.length) return header(FORMERR, 0, 0)
  const qtype = query.readUInt16BE(q.end)
  const name = q.name.toLowerCase()
  seen.push(`${name}/${qtype}`)
  const question = query.subarray(12, q.end + 4)
  const records = options.srv?.[name]
  if (records === undefined) return Buffer.concat([header(NXDOMAIN, 0, 1), question])
  const answers = qtype === SRV ? records : []
  return Buffer.concat([header(NOERROR, answers.length, 1), question, ...answers.map(srvRecord)])
}

/** Starts a responder on 127.0.0.1, on a port of the system's choosing. */
export const dnsServer = async (options: DnsServerOptions): Promise<DnsServer> => {
  const socket = dgram.createSocket('udp4')
  const queries: string[] = []
  socket.on('message', (msg, rinfo) => {
    if (options.silent === true) return
    const out = reply(msg, options, queries)
    if (out !== undefined) socket.send(out, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject)
      resolve()
    })
  })
  const { port } = socket.address()
  return {
    address: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
