import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  config,
  EMPTY,
  map,
  NEVER,
  Observable,
  of,
  Subject,
  type Subscription,
  throwError,
  timer,
} from 'rxjs'
import * as Iq from '../../src/Iq.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import { iqClosed, iqError, iqTimeout } from '../../src/rx/IqFailure.js'
import { unserved } from '../../src/rx/internal/serving.js'
import { pendingCount, request } from '../../src/rx/request.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import { type IqHandler, serve } from '../../src/rx/serve.js'
import type { Stanza } from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'
import { some } from '../helpers.js'
import {
  failed,
  MALLORY,
  ME,
  MY_BARE,
  MY_OTHER,
  PEER,
  pingEl,
  result,
  testScheduler,
  wire,
} from './helpers.js'

const versionEl = Xml.element('query', 'jabber:iq:version')
const rosterEl = Xml.element('query', 'jabber:iq:roster')
const slowEl = Xml.element('slow', 'urn:example:slow')

/** An incoming get from the peer, addressed to us. */
const get = (id: string, payload: Xml.XmlElement = pingEl): Iq.Request =>
  Iq.get(payload, { id, from: PEER, to: ME })

/** The error reply `serve` sends for `req` with `e`. */
const errorAnswer = (req: Iq.Iq, e: StanzaError.StanzaError): Iq.Iq => ({
  kind: 'iq',
  type: 'error',
  id: req.id,
  ...(req.from === undefined ? {} : { to: req.from }),
  error: e,
  payload: [],
})

/** Logs `entry`, answers with the empty result. */
const note = (log: Array<string>, entry: string, req: Iq.Request): Iq.Iq => {
  log.push(entry)
  return Iq.result(req)
}

const pong: IqHandler = { name: 'ping', ns: 'urn:xmpp:ping', handle: (req) => Iq.result(req) }

describe('rx/serve', () => {
  let reported: Array<unknown> = []
  let saved: ((e: unknown) => void) | null = null
  beforeEach(() => {
    reported = []
    saved = config.onUnhandledError
    config.onUnhandledError = (e) => reported.push(e)
  })
  afterEach(() => {
    config.onUnhandledError = saved
  })

  // -----------------------------------------------------------------------------------
  describe('matching', () => {
    it('serve: the first matching handler answers, in array order', () => {
      const w = wire({ jid: ME })
      const seen: Array<string> = []
      const handlers: ReadonlyArray<IqHandler> = [
        { ns: 'urn:example:other', handle: (r) => note(seen, 'other', r) },
        { name: 'ping', handle: (r) => note(seen, 'first', r) },
        { ns: 'urn:xmpp:ping', handle: (r) => note(seen, 'second', r) },
      ]
      serve(w.stream, handlers)
      const req = get('m1')
      w.wire.next(req)
      expect(seen).toEqual(['first'])
      expect(w.sent).toEqual([Iq.result(req)])
    })

    it('serve: every given criterion must hold (name, ns, type, predicate)', () => {
      const w = wire({ jid: ME })
      const hits: Array<string> = []
      const tag =
        (t: string) =>
        (r: Iq.Request): Iq.Iq => {
          hits.push(`${t}:${r.id}`)
          return Iq.result(r)
        }
      serve(w.stream, [
        { name: 'query', ns: 'jabber:iq:version', type: 'set', handle: tag('version-set') },
        { name: 'query', ns: 'jabber:iq:version', type: 'get', handle: tag('version-get') },
        { ns: 'urn:xmpp:ping', predicate: (r) => r.from === MALLORY, handle: tag('mallory') },
        { predicate: (r) => r.payload.length === 1, handle: tag('any') },
      ])
      w.wire.next(get('v', versionEl))
      w.wire.next(Iq.set(versionEl, { id: 's', from: PEER }))
      w.wire.next(Iq.get(pingEl, { id: 'p', from: MALLORY }))
      w.wire.next(get('q'))
      expect(hits).toEqual(['version-get:v', 'version-set:s', 'mallory:p', 'any:q'])
    })

    it('serve: nothing matched → Iq.unhandled (feature-not-implemented)', () => {
      const w = wire({ jid: ME })
      serve(w.stream, [pong])
      const req = get('u1', versionEl)
      w.wire.next(req)
      expect(w.sent).toEqual([some(Iq.unhandled(req))])
      expect(w.sent[0]?.error?.condition).toBe('feature-not-implemented')
    })

    it('serve: unhandledCondition and component addressing apply to unmatched requests', () => {
      const w = wire({ jid: ME })
      serve(w.stream, [], { unhandledCondition: 'service-unavailable', component: true })
      const req = get('u2', versionEl)
      w.wire.next(req)
      const [reply] = w.sent
      expect(reply).toEqual(
        some(Iq.unhandled(req, { condition: 'service-unavailable', component: true })),
      )
      expect(reply?.to).toBe(PEER)
      expect(reply?.from).toBe(ME)
      expect(reply?.error?.text).toBeUndefined()
    })

    it('serve: results, errors, messages and presences are never answered', () => {
      const w = wire({ jid: ME })
      const called: Array<string> = []
      serve(w.stream, [{ handle: (r) => note(called, r.id, r) }])
      w.wire.next(result('r', PEER))
      w.wire.next(failed('e', PEER))
      w.wire.next(Message.make({ id: 'm', from: PEER, body: 'hi' }))
      w.wire.next(Presence.make({ id: 'p', from: PEER, type: 'probe' }))
      expect(w.sent).toEqual([])
      expect(called).toEqual([])
    })

    it('serve: a get/set reusing one of our pending ids is served, the request stays pending', () => {
      const w = wire({ jid: ME })
      serve(w.stream, [pong])
      const sub = request(w.stream, { timeout: Number.POSITIVE_INFINITY })(
        Iq.get(pingEl, { id: 'shared', to: PEER }),
      ).subscribe()
      const incoming = get('shared')
      w.wire.next(incoming)
      expect(w.sent.at(-1)).toEqual(Iq.result(incoming))
      expect(pendingCount(w.stream)).toBe(1)
      sub.unsubscribe()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('answers', () => {
    it('serve: an Iq answer is sent as is; a StanzaError becomes the error reply', () => {
      const w = wire({ jid: ME })
      const custom = { ...Iq.result(get('x')), payload: [Xml.element('pong', 'urn:example')] }
      serve(w.stream, [
        { name: 'ping', handle: () => custom },
        { name: 'query', handle: () => StanzaError.make('forbidden', { text: 'go away' }) },
      ])
      w.wire.next(get('x'))
      const q = get('y', versionEl)
      w.wire.next(q)
      expect(w.sent).toEqual([
        custom,
        errorAnswer(q, StanzaError.make('forbidden', { text: 'go away' })),
      ])
    })

    it('serve: Promise and Observable answers (first value) are sent when ready', async () => {
      const w = wire({ jid: ME })
      serve(w.stream, [
        { name: 'ping', handle: (r) => Promise.resolve(Iq.result(r)) },
        { name: 'query', handle: (r) => of(Iq.result(r), Iq.result(r, versionEl)) },
      ])
      const p = get('p')
      const q = get('q', versionEl)
      w.wire.next(p)
      w.wire.next(q)
      expect(w.sent).toEqual([Iq.result(q)]) // the promise has not resolved yet
      await Promise.resolve()
      expect(w.sent).toEqual([Iq.result(q), Iq.result(p)])
    })

    it('serve: an Observable answer is unsubscribed after its first value', () => {
      const w = wire({ jid: ME })
      let teardowns = 0
      serve(w.stream, [
        {
          handle: (r) =>
            new Observable<Iq.Iq>((s) => {
              s.next(Iq.result(r))
              return () => {
                teardowns++
              }
            }),
        },
      ])
      w.wire.next(get('o'))
      expect(w.sent).toHaveLength(1)
      expect(teardowns).toBe(1)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('concurrency (marbles)', () => {
    it('serve: handlers run concurrently; a fast answer overtakes a slow one', () => {
      const ts = testScheduler()
      const a = get('a', slowEl)
      const b = get('b')
      ts.run(({ hot, expectObservable }) => {
        const incoming = hot<Stanza>('-a-b---|', { a, b })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        serve(stream, [
          { name: 'slow', handle: (r) => timer(5).pipe(map(() => Iq.result(r))) },
          pong,
        ])
        expectObservable(out).toBe('---b--a', { a: Iq.result(a), b: Iq.result(b) })
      })
    })

    it('serve: unsubscribing discards in-flight answers', () => {
      const ts = testScheduler()
      const a = get('a', slowEl)
      const b = get('b')
      const c = get('c')
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('-a-b--c--', { a, b, c })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        const sub = serve(stream, [
          { name: 'slow', handle: (r) => timer(5).pipe(map(() => Iq.result(r))) },
          pong,
        ])
        ts.schedule(() => sub.unsubscribe(), 4)
        expectObservable(out).toBe('---b-----', { b: Iq.result(b) })
        expectSubscriptions(incoming.subscriptions).toBe('^---!')
      })
    })

    it('serve: incoming completing lets in-flight answers finish', () => {
      const ts = testScheduler()
      const a = get('a', slowEl)
      ts.run(({ hot, expectObservable }) => {
        const incoming = hot<Stanza>('-a-|', { a })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        serve(stream, [{ name: 'slow', handle: (r) => timer(5).pipe(map(() => Iq.result(r))) }])
        expectObservable(out).toBe('------a', { a: Iq.result(a) })
      })
    })

    it('serve: incoming erroring drops in-flight answers quietly', () => {
      const ts = testScheduler()
      const a = get('a', slowEl)
      ts.run(({ hot, expectObservable }) => {
        const incoming = hot<Stanza>('-a-#', { a })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        serve(stream, [{ name: 'slow', handle: (r) => timer(5).pipe(map(() => Iq.result(r))) }])
        expectObservable(out).toBe('-------')
      })
      expect(reported).toEqual([])
    })

    it('serve: a Promise answer arriving after unsubscribe is discarded', async () => {
      const w = wire({ jid: ME })
      let resolve: (iq: Iq.Iq) => void = () => undefined
      const sub = serve(w.stream, [{ handle: () => new Promise<Iq.Iq>((r) => (resolve = r)) }])
      const req = get('late')
      w.wire.next(req)
      sub.unsubscribe()
      resolve(Iq.result(req))
      await new Promise((r) => setTimeout(r, 1))
      expect(w.sent).toEqual([])
      expect(w.listeners()).toBe(0)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('failures', () => {
    const undefinedCondition = StanzaError.make('undefined-condition', { type: 'cancel' })
    const nested = get('nested')
    const cases: ReadonlyArray<{
      readonly title: string
      readonly handle: IqHandler['handle']
      readonly failure: (f: unknown) => void
      readonly error: StanzaError.StanzaError
    }> = [
      {
        title: 'a thrown StanzaError → that error',
        handle: () => {
          throw StanzaError.make('not-authorized')
        },
        failure: (f) => expect(f).toEqual(StanzaError.make('not-authorized')),
        error: StanzaError.make('not-authorized'),
      },
      {
        title: 'a rejected StanzaError → that error',
        handle: () => Promise.reject(StanzaError.make('conflict', { text: 'taken' })),
        failure: (f) => expect(StanzaError.is(f)).toBe(true),
        error: StanzaError.make('conflict', { text: 'taken' }),
      },
      {
        title: 'IqError from a nested request → undefined-condition (cancel)',
        handle: () => throwError(() => iqError(nested, failed('nested', PEER))),
        failure: (f) => expect(f).toEqual(iqError(nested, failed('nested', PEER))),
        error: undefinedCondition,
      },
      {
        title: 'IqTimeout → remote-server-timeout (wait)',
        handle: () => Promise.reject(iqTimeout(nested)),
        failure: (f) => expect(f).toEqual(iqTimeout(nested)),
        error: StanzaError.make('remote-server-timeout', { type: 'wait' }),
      },
      {
        title: 'IqClosed → undefined-condition (cancel)',
        handle: () => throwError(() => iqClosed(nested)),
        failure: (f) => expect(f).toEqual(iqClosed(nested)),
        error: undefinedCondition,
      },
      {
        title: 'a thrown Error → undefined-condition, no exception text',
        handle: () => {
          throw new Error('secret: db password is hunter2')
        },
        failure: (f) => expect(f).toEqual(new Error('secret: db password is hunter2')),
        error: undefinedCondition,
      },
      {
        title: 'a rejection with a string → undefined-condition',
        handle: () => Promise.reject('secret string'),
        failure: (f) => expect(f).toBe('secret string'),
        error: undefinedCondition,
      },
      {
        title: 'an Iq answer that is a get → failure',
        handle: (r) => Iq.get(pingEl, { id: r.id }),
        failure: (f) => expect(f).toBeInstanceOf(Error),
        error: undefinedCondition,
      },
      {
        title: 'a result with another id → failure',
        handle: () => result('other-id', PEER),
        failure: (f) => expect(f).toBeInstanceOf(Error),
        error: undefinedCondition,
      },
      {
        title: 'neither Iq nor StanzaError → failure',
        handle: () => 42 as unknown as Iq.Iq,
        failure: (f) => expect(f).toBeInstanceOf(Error),
        error: undefinedCondition,
      },
      {
        title: 'an Observable completing empty → failure',
        handle: () => EMPTY,
        failure: (f) => expect(f).toBeInstanceOf(Error),
        error: undefinedCondition,
      },
    ]
    for (const c of cases) {
      it(`serve: ${c.title}`, async () => {
        const w = wire({ jid: ME })
        const failures: Array<readonly [unknown, Iq.Request]> = []
        serve(w.stream, [{ handle: c.handle }], { onError: (f, r) => failures.push([f, r]) })
        const req = get('f')
        w.wire.next(req)
        await new Promise((r) => setTimeout(r, 1))
        expect(w.sent).toEqual([errorAnswer(req, c.error)])
        expect(JSON.stringify(w.sent)).not.toContain('secret')
        expect(failures).toHaveLength(1)
        const [[failure, request] = [undefined, undefined]] = failures
        c.failure(failure)
        expect(request).toBe(req)
      })
    }

    it('serve: a throwing predicate is a failure of that request', () => {
      const w = wire({ jid: ME })
      serve(w.stream, [
        {
          predicate: () => {
            throw new Error('bug')
          },
          handle: (r) => Iq.result(r),
        },
      ])
      const req = get('p')
      w.wire.next(req)
      expect(w.sent).toEqual([errorAnswer(req, StanzaError.make('undefined-condition'))])
    })

    it('serve: a failure reply uses component addressing when asked', () => {
      const w = wire({ jid: ME })
      serve(
        w.stream,
        [
          {
            handle: () => {
              throw new Error('x')
            },
          },
        ],
        { component: true },
      )
      w.wire.next(get('c'))
      expect(w.sent[0]).toMatchObject({ type: 'error', id: 'c', to: PEER, from: ME })
    })

    it('serve: an onError that throws is reported asynchronously; the reply is still sent', async () => {
      const w = wire({ jid: ME })
      const boom = new Error('onError bug')
      serve(
        w.stream,
        [
          {
            handle: () => {
              throw new Error('x')
            },
          },
        ],
        {
          onError: () => {
            throw boom
          },
        },
      )
      w.wire.next(get('o'))
      expect(w.sent).toHaveLength(1)
      expect(reported).toEqual([])
      await new Promise((r) => setTimeout(r, 5))
      expect(reported).toEqual([boom])
    })

    it('serve: a handler that never answers leaves the request unanswered (no timer of its own)', () => {
      const w = wire({ jid: ME })
      const sub = serve(w.stream, [{ handle: () => NEVER }])
      w.wire.next(get('n'))
      expect(w.sent).toEqual([])
      sub.unsubscribe()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('same sender discipline (roster pushes, RFC 6121 §2.1.6)', () => {
    const push = (id: string, from?: typeof ME): Iq.Request =>
      Iq.set(rosterEl, { id, ...(from === undefined ? {} : { from }) })
    const rosterHandler = (log: Array<string>): IqHandler => ({
      name: 'query',
      ns: 'jabber:iq:roster',
      type: 'set',
      handle: (r) => note(log, r.id, r),
    })

    it('serve: a push without from or from our bare JID is served', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      serve(w.stream, [rosterHandler(log)])
      w.wire.next(push('absent'))
      w.wire.next(push('bare', MY_BARE))
      expect(log).toEqual(['absent', 'bare'])
      expect(w.sent).toEqual([Iq.result(push('absent')), Iq.result(push('bare', MY_BARE))])
    })

    it('serve: a push from anyone else is ignored: no handler, no result, no error', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      serve(w.stream, [rosterHandler(log), { handle: (r) => note(log, `fallback ${r.id}`, r) }])
      for (const from of [PEER, MALLORY, ME, MY_OTHER]) w.wire.next(push(`from ${from}`, from))
      expect(log).toEqual([])
      expect(w.sent).toEqual([])
    })

    it('serve: without stream.jid only a push without from is served', () => {
      const w = wire()
      const log: Array<string> = []
      serve(w.stream, [rosterHandler(log)])
      w.wire.next(push('bare', MY_BARE))
      w.wire.next(push('absent'))
      expect(log).toEqual(['absent'])
    })

    it('serve: unmatched pushes from strangers are not even answered with an error', () => {
      const w = wire({ jid: ME })
      serve(w.stream, [])
      w.wire.next(push('x', MALLORY))
      expect(w.sent).toEqual([])
      w.wire.next(push('y'))
      expect(w.sent).toEqual([some(Iq.unhandled(push('y')))])
    })

    it('serve: roster gets and other sets from others are served normally', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      serve(w.stream, [{ handle: (r) => note(log, r.id, r) }])
      w.wire.next(Iq.get(rosterEl, { id: 'g', from: PEER }))
      w.wire.next(Iq.set(versionEl, { id: 's', from: PEER }))
      expect(log).toEqual(['g', 's'])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('several serves on one stream: every get/set answered once (RFC 6120 §8.2.3)', () => {
    it('serve: two serves that both match → one answer, from the first subscribed', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      serve(w.stream, [{ ns: 'urn:xmpp:ping', handle: (r) => note(log, 'first', r) }])
      serve(w.stream, [
        { name: 'ping', ns: 'urn:xmpp:ping', handle: (r) => note(log, 'second', r) },
      ])
      const req = get('two')
      w.wire.next(req)
      expect(log).toEqual(['first'])
      expect(w.sent).toEqual([Iq.result(req)])
      expect(w.listeners()).toBe(1) // one subscription to incoming for both
    })

    it('serve: the first serve does not match, a later one does → only the later answers', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      serve(w.stream, [{ ns: 'jabber:iq:version', handle: (r) => note(log, 'version', r) }], {
        unhandledCondition: 'service-unavailable',
      })
      serve(w.stream, [{ ns: 'urn:example:other', handle: (r) => note(log, 'other', r) }])
      serve(w.stream, [{ ns: 'urn:xmpp:ping', handle: (r) => note(log, 'ping', r) }])
      const req = get('later')
      w.wire.next(req)
      expect(log).toEqual(['ping'])
      expect(w.sent).toEqual([Iq.result(req)])
    })

    it("serve: nothing matches in any serve → the earliest serve's unhandledCondition, once", () => {
      const w = wire({ jid: ME })
      serve(w.stream, [pong], { unhandledCondition: 'service-unavailable', component: true })
      serve(w.stream, [], { unhandledCondition: 'not-allowed' })
      serve(w.stream, [])
      const req = get('none', versionEl)
      w.wire.next(req)
      expect(w.sent).toEqual([
        some(Iq.unhandled(req, { condition: 'service-unavailable', component: true })),
      ])
    })

    it('serve: after unsubscribing the first, the second takes over (handlers and unhandled)', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      const first = serve(w.stream, [{ handle: (r) => note(log, `first ${r.id}`, r) }])
      serve(w.stream, [{ ns: 'urn:xmpp:ping', handle: (r) => note(log, `second ${r.id}`, r) }], {
        unhandledCondition: 'service-unavailable',
      })
      w.wire.next(get('a'))
      first.unsubscribe()
      expect(w.listeners()).toBe(1)
      const b = get('b')
      const c = get('c', versionEl)
      w.wire.next(b)
      w.wire.next(c)
      expect(log).toEqual(['first a', 'second b'])
      expect(w.sent).toEqual([
        Iq.result(get('a')),
        Iq.result(b),
        some(Iq.unhandled(c, { condition: 'service-unavailable' })),
      ])
    })

    it('serve: a serve subscribed after others comes last, even after the first one leaves and returns', () => {
      const w = wire({ jid: ME })
      const log: Array<string> = []
      const a = serve(w.stream, [{ handle: (r) => note(log, `a ${r.id}`, r) }])
      serve(w.stream, [{ handle: (r) => note(log, `b ${r.id}`, r) }])
      a.unsubscribe()
      serve(w.stream, [{ handle: (r) => note(log, `a2 ${r.id}`, r) }])
      w.wire.next(get('x'))
      expect(log).toEqual(['b x'])
      expect(w.sent).toHaveLength(1)
    })

    it("serve: a throwing predicate is the first serve's failure; later serves are not asked", () => {
      const w = wire({ jid: ME })
      const failures: Array<unknown> = []
      const log: Array<string> = []
      serve(
        w.stream,
        [
          {
            predicate: () => {
              throw new Error('bug')
            },
            handle: (r) => note(log, 'first', r),
          },
        ],
        { onError: (f) => failures.push(f) },
      )
      serve(w.stream, [{ handle: (r) => note(log, 'second', r) }])
      const req = get('p')
      w.wire.next(req)
      expect(log).toEqual([])
      expect(failures).toEqual([new Error('bug')])
      expect(w.sent).toEqual([errorAnswer(req, StanzaError.make('undefined-condition'))])
    })

    it('serve: a roster push from a stranger is answered by no serve', () => {
      const w = wire({ jid: ME })
      serve(w.stream, [])
      serve(w.stream, [{ handle: (r) => Iq.result(r) }])
      const push = Iq.set(rosterEl, { id: 'x', from: MALLORY })
      w.wire.next(push)
      expect(w.sent).toEqual([])
      expect(unserved(push, ME)).toBe(false) // not ours to answer either
    })

    it('serve: the last serve unsubscribing drops the one subscription to incoming', () => {
      const w = wire({ jid: ME })
      const a = serve(w.stream, [pong])
      const b = serve(w.stream, [pong])
      expect(w.listeners()).toBe(1)
      a.unsubscribe()
      expect(w.listeners()).toBe(1)
      b.unsubscribe()
      expect(w.listeners()).toBe(0)
      w.wire.next(get('gone'))
      expect(w.sent).toEqual([])
      serve(w.stream, [pong]) // a new serve listens again
      w.wire.next(get('back'))
      expect(w.sent).toEqual([Iq.result(get('back'))])
    })

    it('serve (marbles): one answer per request across serves; a slow first does not hold up a fast second', () => {
      const ts = testScheduler()
      const a = get('a', slowEl)
      const b = get('b')
      const u = get('u', versionEl)
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('-a-b-u---|', { a, b, u })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        serve(stream, [{ name: 'slow', handle: (r) => timer(5).pipe(map(() => Iq.result(r))) }], {
          unhandledCondition: 'service-unavailable',
        })
        serve(stream, [pong, { name: 'slow', handle: (r) => Iq.result(r, versionEl) }])
        expectObservable(out).toBe('---b-uA', {
          A: Iq.result(a),
          b: Iq.result(b),
          u: some(Iq.unhandled(u, { condition: 'service-unavailable' })),
        })
        expectSubscriptions(incoming.subscriptions).toBe('^--------!')
      })
    })

    it('serve (marbles): unsubscribing the first mid-stream hands the next requests to the second', () => {
      const ts = testScheduler()
      const a = get('a')
      const b = get('b')
      ts.run(({ hot, expectObservable, expectSubscriptions }) => {
        const incoming = hot<Stanza>('-a--b--', { a, b })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        const first = serve(stream, [{ handle: (r) => Iq.result(r, pingEl) }])
        const second = serve(stream, [pong])
        ts.schedule(() => first.unsubscribe(), 2)
        ts.schedule(() => second.unsubscribe(), 5)
        expectObservable(out).toBe('-a--b--', {
          a: Iq.result(a, pingEl),
          b: Iq.result(b),
        })
        expectSubscriptions(incoming.subscriptions).toBe('^----!')
      })
    })

    it('serve: incoming completing ends every serve; their in-flight answers still finish', () => {
      const ts = testScheduler()
      const a = get('a', slowEl)
      const b = get('b', slowEl)
      ts.run(({ hot, expectObservable }) => {
        const incoming = hot<Stanza>('-a-b|', { a, b })
        const out = new Subject<Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        const slow = (d: number): IqHandler => ({
          name: 'slow',
          predicate: (r) => r.id === (d === 5 ? 'a' : 'b'),
          handle: (r) => timer(d).pipe(map(() => Iq.result(r))),
        })
        serve(stream, [slow(5)])
        serve(stream, [slow(1)])
        expectObservable(out).toBe('----b-a', { a: Iq.result(a), b: Iq.result(b) })
      })
    })

    it('serve: a serve subscribed after incoming completed ends at once', () => {
      const w = wire({ jid: ME })
      const first = serve(w.stream, [pong])
      w.wire.complete()
      expect(first.closed).toBe(true)
      const late = serve(w.stream, [pong])
      expect(late.closed).toBe(true)
      expect(w.listeners()).toBe(0)
    })
  })

  // -----------------------------------------------------------------------------------
  describe("the stream owner's fallback (internal: unserved)", () => {
    it('unserved: true for a get/set no serve took, false once a serve took it', () => {
      const w = wire({ jid: ME })
      const before = get('before')
      w.wire.next(before)
      expect(unserved(before, ME)).toBe(true)
      serve(w.stream, [])
      const after = get('after')
      w.wire.next(after)
      expect(unserved(after, ME)).toBe(false)
      expect(unserved(result('r', PEER), ME)).toBe(false)
      expect(unserved(Message.make({ from: PEER, body: 'hi' }), ME)).toBe(false)
    })

    it('unserved: a serve subscribed while a request is being emitted does not take it (incoming is hot)', () => {
      const w = wire({ jid: ME })
      const late: Array<Subscription> = []
      w.stream.incoming.subscribe(() => {
        if (late.length === 0) late.push(serve(w.stream, [pong]))
      })
      const req = get('during')
      w.wire.next(req)
      expect(w.sent).toEqual([])
      expect(unserved(req, ME)).toBe(true) // so the owner answers it
      const next = get('next')
      w.wire.next(next)
      expect(w.sent).toEqual([Iq.result(next)])
      expect(unserved(next, ME)).toBe(false)
    })

    it('unserved: roster pushes follow the same-sender rule', () => {
      const own = Iq.set(rosterEl, { id: 'own', from: MY_BARE })
      const absent = Iq.set(rosterEl, { id: 'absent' })
      const stranger = Iq.set(rosterEl, { id: 'stranger', from: PEER })
      expect([own, absent, stranger].map((r) => unserved(r, ME))).toEqual([true, true, false])
      expect(unserved(own, undefined)).toBe(false)
      expect(unserved(absent, undefined)).toBe(true)
    })
  })
})
