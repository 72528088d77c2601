import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { config, from, map, type Observable, of, Subject, throwError, timer } from 'rxjs'
import * as DecodeError from '../../src/DecodeError.js'
import * as Extension from '../../src/Extension.js'
import { ChatState } from '../../src/ext/ChatState.js'
import { Delay } from '../../src/ext/Delay.js'
import { DiscoInfo, DiscoItems, discoInfoFor, INFO, ITEMS } from '../../src/ext/Disco.js'
import { Ping, pong } from '../../src/ext/Ping.js'
import { Version } from '../../src/ext/Version.js'
import * as Iq from '../../src/Iq.js'
import type * as Jid from '../../src/Jid.js'
import { handle } from '../../src/rx/handle.js'
import { isIqError } from '../../src/rx/IqFailure.js'
import { query } from '../../src/rx/query.js'
import { request } from '../../src/rx/request.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import { type IqHandler, serve } from '../../src/rx/serve.js'
import * as Stanza from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'
import { type Equals, some } from '../helpers.js'
import { ME, PEER, pingEl, recorder, testScheduler, wire } from './helpers.js'

/** The error reply `serve` sends for `req` with `e`. */
const errorAnswer = (req: Iq.Iq, e: StanzaError.StanzaError): Iq.Iq => ({
  kind: 'iq',
  type: 'error',
  id: req.id,
  ...(req.from === undefined ? {} : { to: req.from }),
  error: e,
  payload: [],
})

/** An incoming request from the peer, addressed to us. */
const get = (id: string, payload: Xml.XmlElement): Iq.Request =>
  Iq.get(payload, { id, from: PEER, to: ME })
const set = (id: string, payload: Xml.XmlElement): Iq.Request =>
  Iq.set(payload, { id, from: PEER, to: ME })

const versionGet = (id: string): Iq.Request => get(id, Version.encode({}))
const bot: Version = { name: 'echo-bot', version: '1.0.0' }

const emptyInfo: DiscoInfo = { identities: [], features: [], extensions: [] }

/** Lets promise answers settle. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1))

describe('rx/handle', () => {
  let reported: Array<unknown> = []
  let saved: ((e: unknown) => void) | null = null
  beforeEach(() => {
    reported = []
    saved = config.onUnhandledError
    config.onUnhandledError = (e) => reported.push(e)
  })
  afterEach(() => {
    config.onUnhandledError = saved
    expect(reported).toEqual([])
  })

  // -----------------------------------------------------------------------------------
  describe('answers', () => {
    const custom = (req: Iq.Request): Iq.Iq => ({
      ...Iq.result(req),
      payload: [Xml.element('query', 'jabber:iq:version', {}, ['custom'])],
    })
    const forbidden = StanzaError.make('forbidden', { text: 'go away' })
    const shapes: ReadonlyArray<{
      readonly title: string
      readonly answer: (req: Iq.Request) => Version | null | Iq.Iq | StanzaError.StanzaError
      readonly reply: (req: Iq.Request) => Iq.Iq
    }> = [
      {
        title: 'a record → a result whose payload is ext.encode(record)',
        answer: () => bot,
        reply: (req) => Iq.result(req, Version.encode(bot)),
      },
      { title: 'null → an empty result', answer: () => null, reply: (req) => Iq.result(req) },
      { title: 'an Iq → sent as is', answer: custom, reply: custom },
      {
        title: 'a StanzaError → the error reply',
        answer: () => forbidden,
        reply: (req) => errorAnswer(req, forbidden),
      },
    ]
    const wrappers: ReadonlyArray<{
      readonly title: string
      readonly wrap: <X>(x: X) => X | Promise<X> | Observable<X>
      readonly async: boolean
    }> = [
      { title: '', wrap: (x) => x, async: false },
      { title: ' (Promise)', wrap: (x) => Promise.resolve(x), async: true },
      { title: ' (Observable)', wrap: (x) => of(x), async: false },
    ]
    for (const s of shapes)
      for (const w of wrappers)
        it(`handle: ${s.title}${w.title}`, async () => {
          const net = wire({ jid: ME })
          serve(net.stream, [handle(Version, 'get', (req) => w.wrap(s.answer(req)))])
          const req = versionGet('v1')
          net.wire.next(req)
          if (w.async) {
            expect(net.sent).toEqual([])
            await settle()
          }
          expect(net.sent).toEqual([s.reply(req)])
        })

    it('handle: the result of a record goes to the requester with the same id', () => {
      const net = wire({ jid: ME })
      serve(net.stream, [handle(Version, 'get', () => bot)])
      const req = versionGet('v2')
      net.wire.next(req)
      const [reply] = net.sent
      expect(reply).toMatchObject({ kind: 'iq', type: 'result', id: 'v2', to: PEER })
      expect(reply?.from).toBeUndefined()
      expect(reply?.payload).toEqual([Version.encode(bot)])
      expect(reply?.kind === 'iq' ? Version.get(reply) : O.none).toEqual(O.some(bot))
    })

    it('handle: an Iq answer is the very object sent', () => {
      const net = wire({ jid: ME })
      let made: Iq.Iq | undefined
      serve(net.stream, [
        handle(Version, 'get', (req) => {
          made = { ...Iq.result(req), payload: [Version.encode({ os: 'Plan 9' })] }
          return made
        }),
      ])
      net.wire.next(versionGet('v3'))
      expect(net.sent[0]).toBe(made)
    })

    it('handle: an Observable answer is taken at its first value (virtual time)', () => {
      const ts = testScheduler()
      const a = versionGet('a')
      const b = versionGet('b')
      ts.run(({ hot, expectObservable }) => {
        const incoming = hot<Stanza.Stanza>('-a-b---|', { a, b })
        const out = new Subject<Stanza.Stanza>()
        const stream: StanzaStream = { incoming, send: (s) => out.next(s), jid: ME }
        serve(stream, [
          handle(Version, 'get', (req) =>
            req.id === 'a'
              ? timer(5).pipe(map(() => bot))
              : from<ReadonlyArray<Version | null>>([null, { name: 'second' }]),
          ),
        ])
        expectObservable(out).toBe('---b--a', {
          a: Iq.result(a, Version.encode(bot)),
          b: Iq.result(b),
        })
      })
    })

    it('handle: a Promise of a StanzaError and an Observable of an Iq', async () => {
      const net = wire({ jid: ME })
      serve(net.stream, [
        handle(Version, 'get', () => Promise.resolve(StanzaError.make('not-allowed'))),
        handle(Ping, 'get', (req) => of(Iq.result(req))),
      ])
      const v = versionGet('v')
      const p = get('p', pingEl)
      net.wire.next(v)
      net.wire.next(p)
      await settle()
      expect(net.sent).toEqual([Iq.result(p), errorAnswer(v, StanzaError.make('not-allowed'))])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('decoding', () => {
    it('handle: answer gets the request itself and its decoded record', () => {
      const net = wire({ jid: ME })
      const calls: Array<readonly [Iq.Request, DiscoInfo]> = []
      serve(net.stream, [
        handle(DiscoInfo, 'get', (req, q) => {
          calls.push([req, q])
          return null
        }),
      ])
      const el = Xml.element('query', INFO, { node: 'urn:example#1', extra: 'kept' }, [
        Xml.element('feature', INFO, { var: 'urn:example:f' }),
        Xml.element('unknown', 'urn:example'),
      ])
      const req = get('d1', el)
      net.wire.next(req)
      expect(calls).toHaveLength(1)
      const [[request, q] = [undefined, undefined]] = calls
      expect(request).toBe(req)
      expect(q).toEqual(some(DiscoInfo.get(req)))
      expect(q).toEqual({
        node: 'urn:example#1',
        identities: [],
        features: ['urn:example:f'],
        extensions: [],
        $rest: {
          attrs: { extra: 'kept' },
          children: [{ at: 1, node: Xml.element('unknown', 'urn:example') }],
        },
      })
    })

    it('handle: an undecodable request → bad-request, answer is not called', () => {
      const net = wire({ jid: ME })
      const called: Array<string> = []
      const failures: Array<unknown> = []
      serve(
        net.stream,
        [
          handle(DiscoInfo, 'get', (req) => {
            called.push(req.id)
            return emptyInfo
          }),
        ],
        { onError: (f) => failures.push(f) },
      )
      const bad = get('b1', Xml.element('query', INFO, {}, [Xml.element('feature', INFO)]))
      expect(E.isLeft(DiscoInfo.getEither(bad))).toBe(true)
      net.wire.next(bad)
      expect(called).toEqual([])
      expect(net.sent).toEqual([errorAnswer(bad, StanzaError.make('bad-request'))])
      expect(net.sent[0]?.error?.type).toBe('modify')
      // a valid one afterwards is answered normally
      const good = get('g1', DiscoInfo.encode(emptyInfo))
      net.wire.next(good)
      expect(called).toEqual(['g1'])
      expect(net.sent[1]).toEqual(Iq.result(good, DiscoInfo.encode(emptyInfo)))
    })

    it('handle: an invalid JID in the request is bad-request too, with no exception text', () => {
      const net = wire({ jid: ME })
      const called: Array<string> = []
      serve(net.stream, [
        handle(DiscoItems, 'get', (req) => {
          called.push(req.id)
          return { items: [] }
        }),
      ])
      const bad = get(
        'j1',
        Xml.element('query', ITEMS, {}, [Xml.element('item', ITEMS, { jid: '@bad' })]),
      )
      net.wire.next(bad)
      expect(called).toEqual([])
      expect(net.sent).toEqual([errorAnswer(bad, StanzaError.make('bad-request'))])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('matching', () => {
    it('handle: a type mismatch is not matched (falls through to the unhandled reply)', () => {
      const net = wire({ jid: ME })
      const called: Array<string> = []
      serve(net.stream, [
        handle(DiscoInfo, 'get', (req) => {
          called.push(req.id)
          return emptyInfo
        }),
      ])
      const s = set('s1', DiscoInfo.encode(emptyInfo))
      net.wire.next(s)
      expect(called).toEqual([])
      expect(net.sent).toEqual([some(Iq.unhandled(s))])
      expect(net.sent[0]?.error?.condition).toBe('feature-not-implemented')
    })

    it('handle: a mismatch falls through to the next handler', () => {
      const net = wire({ jid: ME })
      const log: Array<string> = []
      const fallback: IqHandler = {
        handle: (r) => {
          log.push(`fallback ${r.type} ${r.id}`)
          return Iq.result(r)
        },
      }
      serve(net.stream, [
        handle(DiscoInfo, 'set', (r) => {
          log.push(`info ${r.id}`)
          return null
        }),
        fallback,
      ])
      net.wire.next(get('g', DiscoInfo.encode(emptyInfo))) // wrong type
      net.wire.next(set('i', DiscoItems.encode({ items: [] }))) // same name, other namespace
      net.wire.next(set('v', Version.encode({}))) // other namespace
      net.wire.next(set('s', DiscoInfo.encode(emptyInfo)))
      expect(log).toEqual(['fallback get g', 'fallback set i', 'fallback set v', 'info s'])
    })

    it('handle: a oneOf extension matches every one of its names', () => {
      const NS = 'urn:example:switch'
      const Switch = Extension.oneOf({ ns: NS, names: ['on', 'off'], on: ['iq'] })
      const net = wire({ jid: ME })
      const seen: Array<string> = []
      serve(net.stream, [
        handle(Switch, 'set', (_req, state) => {
          seen.push(state)
          return null
        }),
      ])
      const on = set('1', Xml.element('on', NS))
      const off = set('2', Xml.element('off', NS))
      net.wire.next(on)
      net.wire.next(off)
      expect(seen).toEqual(['on', 'off'])
      expect(net.sent).toEqual([Iq.result(on), Iq.result(off)])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('failures', () => {
    const undefinedCondition = StanzaError.make('undefined-condition', { type: 'cancel' })
    const cases: ReadonlyArray<{
      readonly title: string
      readonly answer: () => Version | Promise<Version> | Observable<Version>
      readonly error: StanzaError.StanzaError
    }> = [
      {
        title: 'a thrown exception → undefined-condition, no exception text',
        answer: () => {
          throw new Error('secret: db password is hunter2')
        },
        error: undefinedCondition,
      },
      {
        title: 'a rejected Promise → undefined-condition',
        answer: () => Promise.reject(new Error('secret')),
        error: undefinedCondition,
      },
      {
        title: 'an erroring Observable → undefined-condition',
        answer: () => throwError(() => new Error('secret')),
        error: undefinedCondition,
      },
      {
        title: 'a thrown StanzaError → that error',
        answer: () => {
          throw StanzaError.make('not-authorized')
        },
        error: StanzaError.make('not-authorized'),
      },
    ]
    for (const c of cases)
      it(`handle: ${c.title}`, async () => {
        const net = wire({ jid: ME })
        const failures: Array<unknown> = []
        serve(net.stream, [handle(Version, 'get', c.answer)], {
          onError: (f) => failures.push(f),
        })
        const req = versionGet('f')
        net.wire.next(req)
        await settle()
        expect(net.sent).toEqual([errorAnswer(req, c.error)])
        expect(JSON.stringify(net.sent)).not.toContain('secret')
        expect(failures).toHaveLength(1)
      })
  })

  // -----------------------------------------------------------------------------------
  describe('types', () => {
    it('handle: answer is typed by the extension; only iq extensions compile', () => {
      const h: IqHandler = handle(DiscoInfo, 'get', (req, q) => {
        const r: Equals<typeof req, Iq.Request> = true
        const a: Equals<typeof q, DiscoInfo> = true
        return r && a ? q : null
      })
      // @ts-expect-error not a DiscoInfo record
      handle(DiscoInfo, 'get', () => ({ features: 'urn:example' }))
      // @ts-expect-error a delay never comes in an iq
      handle(Delay, 'get', () => null)
      // @ts-expect-error only get and set are requests
      handle(Version, 'result', () => null)
      expect(h.type).toBe('get')
    })
  })

  // -----------------------------------------------------------------------------------
  describe('end to end (in-memory pair, through XML)', () => {
    /**
     * Two parties joined by a "server": every stanza is stamped with its sender's JID
     * (RFC 6120 §8.1.2.1), serialized, parsed and decoded again before delivery.
     */
    const pair = (
      a: Jid.Jid,
      b: Jid.Jid,
    ): { readonly a: StanzaStream; readonly b: StanzaStream; readonly wire: Array<string> } => {
      const toA = new Subject<Stanza.Stanza>()
      const toB = new Subject<Stanza.Stanza>()
      const log: Array<string> = []
      const route =
        (from: Jid.Jid, dest: Subject<Stanza.Stanza>) =>
        (s: Stanza.Stanza): void => {
          const xml = Stanza.encode({ ...s, from })
          log.push(xml)
          const r = Stanza.decode(xml)
          if (E.isLeft(r)) throw new Error(DecodeError.format(r.left))
          dest.next(r.right)
        }
      return {
        a: { incoming: toA, send: route(a, toB), jid: a },
        b: { incoming: toB, send: route(b, toA), jid: b },
        wire: log,
      }
    }

    const bob = (p: ReturnType<typeof pair>) =>
      serve(p.b, [
        pong,
        handle(
          DiscoInfo,
          'get',
          discoInfoFor({
            identities: [{ category: 'client', type: 'bot', name: 'stanzakit' }],
            extensions: [DiscoInfo, Ping, Version, ChatState, Delay],
            features: ['urn:example:x', 'urn:xmpp:ping'],
          }),
        ),
        handle(Version, 'get', () => bot),
      ])

    it('ext.pong answers a ping with the empty result', () => {
      const p = pair(ME, PEER)
      bob(p)
      const { seen, observer } = recorder()
      const ping = Iq.get(Ping.encode({}), { id: 'p1', to: PEER })
      request(p.a, { timeout: Number.POSITIVE_INFINITY })(ping).subscribe(observer)
      expect(seen).toEqual([
        { next: { kind: 'iq', type: 'result', id: 'p1', from: PEER, to: ME, payload: [] } },
        { complete: true },
      ])
    })

    it('discoInfoFor through rx.handle: node echoed, features from the extensions', () => {
      const p = pair(ME, PEER)
      bob(p)
      const { seen, observer } = recorder()
      const ask = Iq.get(DiscoInfo.encode({ ...emptyInfo, node: 'urn:example#caps' }), {
        id: 'd1',
        to: PEER,
      })
      query(p.a)(DiscoInfo, ask).subscribe(observer)
      expect(seen).toEqual([
        {
          next: {
            node: 'urn:example#caps',
            identities: [{ category: 'client', type: 'bot', name: 'stanzakit' }],
            features: [
              INFO,
              'urn:xmpp:ping',
              'jabber:iq:version',
              'http://jabber.org/protocol/chatstates',
              'urn:example:x',
            ],
            extensions: [],
          },
        },
        { complete: true },
      ])
    })

    it('a version query is answered with the record; an unknown one is an IqError', () => {
      const p = pair(ME, PEER)
      bob(p)
      const v = recorder()
      query(p.a)(Version, Iq.get(Version.encode({}), { id: 'v1', to: PEER })).subscribe(v.observer)
      expect(v.seen).toEqual([{ next: bot }, { complete: true }])
      const u = recorder()
      query(p.a)(
        DiscoItems,
        Iq.get(DiscoItems.encode({ items: [] }), { id: 'u1', to: PEER }),
      ).subscribe(u.observer)
      const [only] = u.seen
      const failure = only !== undefined && 'error' in only ? only.error : undefined
      expect(isIqError(failure) ? failure.error.condition : failure).toBe('feature-not-implemented')
    })

    it('an undecodable disco#info request comes back as bad-request', () => {
      const p = pair(ME, PEER)
      bob(p)
      const { seen, observer } = recorder()
      const bad = Iq.get(Xml.element('query', INFO, {}, [Xml.element('feature', INFO)]), {
        id: 'b1',
        to: PEER,
      })
      query(p.a)(DiscoInfo, bad).subscribe(observer)
      const [only] = seen
      const failure = only !== undefined && 'error' in only ? only.error : undefined
      expect(isIqError(failure) ? failure.error.condition : failure).toBe('bad-request')
      expect(p.wire).toHaveLength(2)
    })
  })
})
