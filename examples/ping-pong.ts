/**
 * Requests and handlers over an in-memory pair of streams: `npx tsx examples/ping-pong.ts`.
 *
 * Two `StanzaStream`s are cross-wired through Subjects, with a tiny "server" in between that
 * stamps `from` (RFC 6120 §8.1.2.1) and puts every stanza through the XML boundary
 * (`Stanza.encode` → string → `Stanza.decode`), delivering on a later microtask like a socket.
 * Romeo `serve`s XEP-0199 ping and an echo; Juliet `request`s and prints each round trip.
 */
import * as E from 'fp-ts/lib/Either.js'
import { firstValueFrom, Subject } from 'rxjs'
import { DecodeError, ext, Iq, Jid, rx, Stanza, Xml } from '../src/index.js'

const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(`not a JID: ${s}`)
  return r.right
}

// -------------------------------------------------------------------------------------
// an in-memory pair of streams
// -------------------------------------------------------------------------------------

interface Endpoint extends rx.StanzaStream {
  readonly jid: Jid.Jid
  readonly close: () => void
}

/** Two endpoints; what one sends, the other receives, as a server would route it. */
const pair = (
  a: Jid.Jid,
  b: Jid.Jid,
  log: (line: string) => void,
): readonly [Endpoint, Endpoint] => {
  const toA = new Subject<Stanza.Stanza>()
  const toB = new Subject<Stanza.Stanza>()
  const route =
    (from: Jid.Jid, to: Subject<Stanza.Stanza>) =>
    (s: Stanza.Stanza): void => {
      const xml = Stanza.encode({ ...s, from }) // the server stamps the sender
      log(xml)
      queueMicrotask(() => {
        const decoded = Stanza.decode(xml)
        if (E.isRight(decoded)) to.next(decoded.right)
        else log(`dropped: ${DecodeError.format(decoded.left)}`)
      })
    }
  const close = (): void => {
    toA.complete()
    toB.complete()
  }
  return [
    { incoming: toA, send: route(a, toB), jid: a, close },
    { incoming: toB, send: route(b, toA), jid: b, close },
  ]
}

// -------------------------------------------------------------------------------------
// handlers: plain records
// -------------------------------------------------------------------------------------

/** XEP-0199 §4.2: a ping is answered with an empty result. */
const ping: rx.IqHandler = {
  name: 'ping',
  ns: 'urn:xmpp:ping',
  type: 'get',
  handle: (req) => Iq.result(req),
}

/** Echoes the payload back after a short pause (a Promise answer). */
const echo: rx.IqHandler = {
  name: 'echo',
  ns: 'urn:example:echo',
  handle: (req) =>
    new Promise<Iq.Iq>((resolve) => setTimeout(() => resolve(Iq.result(req, req.payload[0])), 5)),
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
  const juliet = jid('juliet@example.com/balcony')
  const romeo = jid('romeo@example.net/orchard')
  const [j, r] = pair(juliet, romeo, (line) => console.log(`  wire: ${line}`))

  const serving = rx.serve(r, [ping, echo], { unhandledCondition: 'service-unavailable' })
  const ask = rx.request(j, { timeout: 1_000 })

  const roundTrip = async (label: string, iq: Iq.Iq): Promise<void> => {
    const t0 = performance.now()
    try {
      const res = await firstValueFrom(ask(iq))
      const ms = (performance.now() - t0).toFixed(2)
      const body = res.payload[0] === undefined ? 'empty' : Xml.serialize(res.payload[0])
      console.log(
        `${label}: ${res.type} from ${res.from ?? '(server)'} in ${ms} ms, payload ${body}`,
      )
    } catch (e) {
      const why = rx.isIqError(e) ? e.error.condition : rx.isIqFailure(e) ? e._tag : String(e)
      console.log(`${label}: failed (${why}) after ${(performance.now() - t0).toFixed(2)} ms`)
    }
  }

  await roundTrip('ping', Iq.get(ext.Ping.encode({}), { to: romeo }))
  await roundTrip(
    'echo',
    Iq.get(Xml.element('echo', 'urn:example:echo', {}, ['wherefore art thou']), { to: romeo }),
  )
  await roundTrip('version', Iq.get(Xml.element('query', 'jabber:iq:version'), { to: romeo }))

  // the classic callback style, as a Promise
  await rx.send(j)(Iq.get(ext.Ping.encode({}), { to: romeo }), {
    callback: (res) => console.log(`send: callback with a ${res.type}`),
  })

  console.log(`pending after all: ${rx.pendingCount(j)}`)
  serving.unsubscribe()
  j.close()
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
