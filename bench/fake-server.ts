/**
 * A scripted c2s server for bench/e2e-client.ts "flood": it negotiates just enough of a stream
 * (PLAIN, restart, bind; no TLS, no stream management) to bring a stanzakit client online, then
 * hands the socket to the bench, which writes whatever it likes into the session. Not XMPP
 * conformance: only what stanzakit's negotiation sends, matched by regular expressions.
 */
import { createServer, type Server, type Socket } from 'node:net'

const STREAM = "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
const header = (id: string, domain: string): string =>
  `<?xml version='1.0'?><stream:stream ${STREAM} id='${id}' from='${domain}' version='1.0'>`

export interface FakeServer {
  readonly port: number
  /** The next session once bound (resolves with its socket, to write stanzas into). */
  readonly bound: () => Promise<Socket>
  readonly close: () => Promise<void>
}

/** Listens on 127.0.0.1; every connection is negotiated and binds `jid`. */
export const fakeServer = (domain: string, jid: string): Promise<FakeServer> => {
  const waiting: Array<(s: Socket) => void> = []
  const ready: Socket[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
    let buf = ''
    let stage: 'open' | 'auth' | 'reopen' | 'bind' | 'live' = 'open'
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => {
      if (stage === 'live') {
        // Whatever the client says now is ignored, but its close is answered (so close() is quick).
        if (d.includes('</stream:stream>')) socket.end('</stream:stream>')
        return
      }
      buf += d
      for (;;) {
        if (stage === 'open' || stage === 'reopen') {
          const m = /<stream:stream\b[^>]*>/.exec(buf)
          if (m === null) return
          buf = buf.slice(m.index + m[0].length)
          socket.write(
            stage === 'open'
              ? `${header('s1', domain)}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`
              : `${header('s2', domain)}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`,
          )
          stage = stage === 'open' ? 'auth' : 'bind'
        } else if (stage === 'auth') {
          const m = /<\/auth>|<auth\b[^>]*\/>/.exec(buf)
          if (m === null) return
          buf = buf.slice(m.index + m[0].length)
          socket.write("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
          stage = 'reopen'
        } else {
          const m = /<iq\b[^>]*?\sid=(['"])(.*?)\1[^>]*>[\s\S]*?<\/iq>/.exec(buf)
          if (m === null) return
          buf = ''
          socket.write(
            `<iq type='result' id='${m[2] ?? ''}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${jid}</jid></bind></iq>`,
          )
          stage = 'live'
          const w = waiting.shift()
          if (w === undefined) ready.push(socket)
          else w(socket)
          return
        }
      }
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        reject(new Error('fakeServer: no TCP address'))
        return
      }
      resolve({
        port: address.port,
        bound: () => {
          const s = ready.shift()
          return s === undefined ? new Promise<Socket>((r) => waiting.push(r)) : Promise.resolve(s)
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}
