/**
 * XEP-0198 stream management as a pure step function: every transition, marbles in virtual time
 * through a `scan` harness, and properties over interleavings, wrap-around and link losses.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { EMPTY, interval, map, merge, mergeMap, type Observable, scan } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import * as Sm from '../../../src/connection/internal/sm.js'
import * as Xml from '../../../src/Xml.js'
import { testScheduler } from '../../rx/helpers.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

type Ev = Sm.Event<string>
type Fx = Sm.Effect<string>

const CLIENT = 'jabber:client'
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
const TWO32 = 2 ** 32

const out = (stanza: string): Ev => ({ _tag: 'StanzaOut', stanza })
const ack = (h: number): Ev => ({ _tag: 'Ack', h })
const IN: Ev = { _tag: 'StanzaIn' }
const R_IN: Ev = { _tag: 'AckRequest' }
const TICK: Ev = { _tag: 'Tick' }
const LOST: Ev = { _tag: 'LinkLost' }
const RESUME: Ev = { _tag: 'Resume' }
const ENABLE: Ev = { _tag: 'Enable' }
const enabledEv = (id: string | undefined = 'sm-1', resume = true): Ev => ({
  _tag: 'Enabled',
  id,
  resume,
  max: undefined,
  location: undefined,
})
const resumedEv = (h: number, previd = 'sm-1'): Ev => ({ _tag: 'Resumed', previd, h })
const failedEv = (h?: number, condition = 'item-not-found'): Ev => ({
  _tag: 'Failed',
  condition,
  h,
})

const write = (stanza: string): Fx => ({ _tag: 'Write', stanza })
const sendEl = (element: Xml.XmlElement): Fx => ({ _tag: 'Send', element })
const R: Fx = sendEl(Sm.request())
const A = (h: number): Fx => sendEl(Sm.answer(h))
const acked = (...stanzas: string[]): Fx => ({ _tag: 'Acknowledged', stanzas })
const resend = (...stanzas: string[]): Fx => ({ _tag: 'Resend', stanzas })
const FAIL_IQS: Fx = { _tag: 'FailPendingIqs' }
const fallback = (...stanzas: Array<[string, number]>): Fx => ({
  _tag: 'Fallback',
  stanzas: stanzas.map(([stanza, sentAt]) => ({ stanza, sentAt })),
})
const tooHigh = (h: number, sent: number): Fx => ({
  _tag: 'StreamError',
  condition: 'undefined-condition',
  text: `handled-count-too-high: h=${h} acknowledges more than the ${sent} stanzas sent`,
  element: Sm.handledCountTooHigh(h, sent),
})

/** An enabled, resumable session `sm-1` with these fields. */
const enabled = (over: Partial<Sm.Session<string>> = {}): Sm.Enabled<string> => ({
  _tag: 'Enabled',
  id: 'sm-1',
  resumable: true,
  location: undefined,
  max: undefined,
  inbound: 0,
  outbound: 0,
  unacked: [],
  sinceRequest: 0,
  requestedAt: undefined,
  ...over,
})

const queue = (...xs: Array<[string, number]>): ReadonlyArray<Sm.Unacked<string>> =>
  xs.map(([stanza, sentAt]) => ({ stanza, sentAt }))

const opts = Sm.options({ ackThreshold: 3, ackInterval: 5, maxUnacked: 10 })

/** Folds events (each at its time, default 0) from `state`: the last state, every effect. */
const run = (
  state: Sm.State<string>,
  events: ReadonlyArray<Ev | readonly [Ev, number]>,
  options: Sm.Options = opts,
): { readonly state: Sm.State<string>; readonly effects: ReadonlyArray<Fx> } => {
  const reduce = Sm.step(options)
  const effects: Fx[] = []
  let s = state
  for (const e of events) {
    const [ev, now] = Array.isArray(e) ? (e as readonly [Ev, number]) : [e as Ev, 0]
    const r = reduce(s, ev, now)
    s = r.state
    effects.push(...r.effects)
  }
  return { state: s, effects }
}

const tree = (xml: string, ns: string | null = CLIENT): Xml.XmlElement => {
  const r = Xml.parse(xml, { ns })
  if (E.isLeft(r)) throw new Error(`test setup: ${r.left.message}`)
  return r.right
}

const SM = `xmlns='${Sm.NS_SM}'`

// -------------------------------------------------------------------------------------
// the scan harness (what the socket code will do, minus the socket)
// -------------------------------------------------------------------------------------

/**
 * Folds events through `step` with the scheduler's virtual time as `now`, emitting every effect;
 * with `tick`, a Tick every `tick` frames too.
 */
const harness =
  (
    ts: TestScheduler,
    options: Sm.Options,
    initial: Sm.State<string>,
    tick?: number,
  ): ((events: Observable<Ev>) => Observable<Fx>) =>
  (events) =>
    merge(events, tick === undefined ? EMPTY : interval(tick, ts).pipe(map(() => TICK))).pipe(
      scan((acc: Sm.Step<string>, e: Ev) => Sm.step(options)(acc.state, e, ts.now()), {
        state: initial,
        effects: [],
      }),
      mergeMap((s) => s.effects),
    )

/** Incoming elements through `fromElement`, ignoring what SM does not read. */
const fromElements = (els: Observable<Xml.XmlElement>): Observable<Ev> =>
  els.pipe(mergeMap((el) => (Sm.fromElement(el) === undefined ? [] : [Sm.fromElement(el) as Ev])))

describe('connection/internal/sm', () => {
  // -----------------------------------------------------------------------------------
  describe('counters (XEP-0198 §4)', () => {
    it('addH: adds modulo 2^32', () => {
      expect(Sm.addH(0, 1)).toBe(1)
      expect(Sm.addH(Sm.MAX_H, 1)).toBe(0)
      expect(Sm.addH(TWO32 - 2, 5)).toBe(3)
      expect(Sm.MAX_H).toBe(TWO32 - 1)
    })

    it('diffH: the distance modulo 2^32, across the wrap', () => {
      expect(Sm.diffH(5, 5)).toBe(0)
      expect(Sm.diffH(2, 7)).toBe(5)
      expect(Sm.diffH(TWO32 - 2, 3)).toBe(5)
      expect(Sm.diffH(6, 5)).toBe(Sm.MAX_H)
    })

    it('addH/diffH: diffH(h, addH(h, n)) = n for any h and n < 2^32', () => {
      fc.assert(
        fc.property(fc.nat({ max: Sm.MAX_H }), fc.nat({ max: Sm.MAX_H }), (h, n) => {
          const k = Sm.addH(h, n)
          expect(k).toBeGreaterThanOrEqual(0)
          expect(k).toBeLessThanOrEqual(Sm.MAX_H)
          expect(Sm.diffH(h, k)).toBe(n)
        }),
      )
    })
  })

  // -----------------------------------------------------------------------------------
  describe('elements', () => {
    it('enable: resume and max as asked (§3, §5)', () => {
      expect(Xml.equals(Sm.enable(Sm.defaults), tree(`<enable ${SM} resume='true'/>`))).toBe(true)
      expect(
        Xml.equals(
          Sm.enable({ resume: false, maxResumptionTime: 300 }),
          tree(`<enable ${SM} max='300'/>`),
        ),
      ).toBe(true)
    })

    it('request, answer, resume, handledCountTooHigh: the XEP examples', () => {
      expect(Xml.equals(Sm.request(), tree(`<r ${SM}/>`))).toBe(true)
      expect(Xml.equals(Sm.answer(1), tree(`<a ${SM} h='1'/>`))).toBe(true)
      expect(
        Xml.equals(
          Sm.resume('some-long-sm-id', 7),
          tree(`<resume ${SM} h='7' previd='some-long-sm-id'/>`),
        ),
      ).toBe(true)
      expect(
        Xml.equals(
          Sm.handledCountTooHigh(10, 8),
          tree(`<handled-count-too-high ${SM} h='10' send-count='8'/>`),
        ),
      ).toBe(true)
      expect(Xml.serialize(Sm.answer(Sm.MAX_H))).toContain('4294967295')
    })

    it('parseH: xs:unsignedInt, nothing else', () => {
      expect(Sm.parseH('0')).toBe(0)
      expect(Sm.parseH('4294967295')).toBe(Sm.MAX_H)
      expect(Sm.parseH(' +007 ')).toBe(7)
      for (const bad of [
        undefined,
        '',
        '4294967296',
        '-1',
        '1.5',
        'abc',
        '1e3',
        '0x10',
        '99999999999',
      ])
        expect(Sm.parseH(bad)).toBeUndefined()
    })

    it('fromElement: the server nonzas of the XEP', () => {
      expect(Sm.fromElement(tree(`<enabled ${SM} id='some-long-sm-id' resume='true'/>`))).toEqual({
        _tag: 'Enabled',
        id: 'some-long-sm-id',
        resume: true,
        max: undefined,
        location: undefined,
      })
      expect(
        Sm.fromElement(
          tree(
            `<enabled ${SM} id='x' location='[2001:41D0:1:A49b::1]:9222' resume='1' max='600'/>`,
          ),
        ),
      ).toEqual({
        _tag: 'Enabled',
        id: 'x',
        resume: true,
        max: 600,
        location: '[2001:41D0:1:A49b::1]:9222',
      })
      expect(Sm.fromElement(tree(`<enabled ${SM}/>`))).toEqual({
        _tag: 'Enabled',
        id: undefined,
        resume: false,
        max: undefined,
        location: undefined,
      })
      expect(
        Sm.fromElement(tree(`<failed ${SM} h='3'><item-not-found xmlns='${STANZAS}'/></failed>`)),
      ).toEqual({ _tag: 'Failed', condition: 'item-not-found', h: 3 })
      expect(
        Sm.fromElement(tree(`<failed ${SM}><unexpected-request xmlns='${STANZAS}'/></failed>`)),
      ).toEqual({ _tag: 'Failed', condition: 'unexpected-request', h: undefined })
      expect(Sm.fromElement(tree(`<resumed ${SM} h='5' previd='some-long-sm-id'/>`))).toEqual({
        _tag: 'Resumed',
        previd: 'some-long-sm-id',
        h: 5,
      })
      expect(Sm.fromElement(tree(`<r ${SM}/>`))).toEqual({ _tag: 'AckRequest' })
      expect(Sm.fromElement(tree(`<a ${SM} h='4294967295'/>`))).toEqual({
        _tag: 'Ack',
        h: Sm.MAX_H,
      })
    })

    it('fromElement: a malformed SM nonza is Malformed', () => {
      for (const xml of [
        `<a ${SM}/>`,
        `<a ${SM} h='4294967296'/>`,
        `<a ${SM} h='-1'/>`,
        `<resumed ${SM} previd='x'/>`,
        `<resumed ${SM} h='1'/>`,
      ])
        expect(Sm.fromElement(tree(xml))?._tag).toBe('Malformed')
    })

    it('fromElement: only message, presence and iq in the content namespace count (§1)', () => {
      expect(Sm.fromElement(tree(`<message to='a@b'><body>x</body></message>`))).toEqual(IN)
      expect(Sm.fromElement(tree(`<presence/>`))).toEqual(IN)
      expect(Sm.fromElement(tree(`<iq type='get' id='1'/>`))).toEqual(IN)
      expect(Sm.fromElement(tree(`<message xmlns='jabber:server'/>`))).toBeUndefined()
      expect(Sm.fromElement(tree(`<message/>`, 'jabber:server'), 'jabber:server')).toEqual(IN)
      for (const xml of [
        `<features xmlns='http://etherx.jabber.org/streams'/>`,
        `<enable ${SM}/>`,
        `<resume ${SM} h='1' previd='x'/>`,
        `<sm ${SM}/>`,
        `<active xmlns='urn:xmpp:csi:0'/>`,
        `<message ${SM}/>`,
      ])
        expect(Sm.fromElement(tree(xml))).toBeUndefined()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('options', () => {
    it('options: defaults, and a RangeError for invalid values', () => {
      expect(Sm.options()).toEqual(Sm.defaults)
      expect(Sm.defaults.maxUnacked).toBe(1000)
      expect(() => Sm.options({ ackThreshold: 0 })).toThrow(RangeError)
      expect(() => Sm.options({ ackThreshold: 1.5 })).toThrow(RangeError)
      expect(() => Sm.options({ ackInterval: -1 })).toThrow(RangeError)
      expect(() => Sm.options({ ackTimeout: Number.NaN })).toThrow(RangeError)
      expect(() => Sm.options({ maxUnacked: 0 })).toThrow(RangeError)
      expect(() => Sm.options({ maxResumptionTime: 0 })).toThrow(RangeError)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('step: enabling (§3)', () => {
    it('Enable: sends <enable resume/> and waits', () => {
      const r = run(Sm.disabled, [ENABLE])
      expect(r.state._tag).toBe('Enabling')
      expect(r.effects).toEqual([sendEl(Sm.enable(opts))])
    })

    it('Enable: one attempt per stream; ignored once enabled or detached', () => {
      for (const s of [enabled(), { ...enabled(), _tag: 'Detached' as const, id: 'sm-1' }])
        expect(run(s, [ENABLE])).toEqual({ state: s, effects: [] })
    })

    it('StanzaOut while enabling: held, then written on <enabled/>, counted from there', () => {
      const r = run(Sm.disabled, [ENABLE, [out('a'), 1], [out('b'), 2], enabledEv()])
      expect(r.effects).toEqual([sendEl(Sm.enable(opts)), write('a'), write('b')])
      expect(r.state).toEqual(
        enabled({ unacked: queue(['a', 1], ['b', 2]), sinceRequest: 2, requestedAt: undefined }),
      )
    })

    it('Enabled: a burst held while enabling is followed by <r/>', () => {
      const r = run(Sm.disabled, [ENABLE, out('a'), out('b'), out('c'), [enabledEv(), 7]])
      expect(r.effects.slice(1)).toEqual([write('a'), write('b'), write('c'), R])
      expect(r.state).toMatchObject({ _tag: 'Enabled', sinceRequest: 0, requestedAt: 7 })
    })

    it('StanzaIn before <enabled/> is not counted (docs/prosody.md gotcha 3)', () => {
      const r = run(Sm.disabled, [ENABLE, IN, IN, R_IN, enabledEv(), IN, R_IN])
      expect(r.effects).toEqual([sendEl(Sm.enable(opts)), A(0), A(1)])
    })

    it('Enabled: resumable only with resume and an id (§5)', () => {
      expect(run(Sm.disabled, [ENABLE, enabledEv('x', true)]).state).toMatchObject({
        resumable: true,
        id: 'x',
      })
      expect(run(Sm.disabled, [ENABLE, enabledEv('x', false)]).state).toMatchObject({
        resumable: false,
      })
      const noId: Ev = {
        _tag: 'Enabled',
        id: undefined,
        resume: true,
        max: undefined,
        location: undefined,
      }
      expect(run(Sm.disabled, [ENABLE, noId]).state).toMatchObject({
        resumable: false,
      })
    })

    it('Failed on enable: no SM, the held stanzas are written, later ones pass through', () => {
      const r = run(Sm.disabled, [
        ENABLE,
        out('a'),
        failedEv(undefined, 'unexpected-request'),
        out('b'),
      ])
      expect(r.state).toEqual(Sm.disabled)
      expect(r.effects).toEqual([sendEl(Sm.enable(opts)), write('a'), write('b')])
    })

    it('Disabled: stanzas pass through uncounted; server nonzas are ignored', () => {
      const r = run(Sm.disabled, [
        out('a'),
        IN,
        R_IN,
        ack(3),
        enabledEv(),
        resumedEv(1),
        TICK,
        LOST,
      ])
      expect(r).toEqual({ state: Sm.disabled, effects: [write('a')] })
    })
  })

  // -----------------------------------------------------------------------------------
  describe('step: acks (§4)', () => {
    it('AckRequest: answered with the number of stanzas handled', () => {
      const r = run(enabled({ inbound: 41 }), [IN, R_IN])
      expect(r.effects).toEqual([A(42)])
    })

    it('StanzaOut: written and queued; <r/> after ackThreshold stanzas', () => {
      const r = run(enabled(), [
        [out('a'), 1],
        [out('b'), 2],
        [out('c'), 3],
        [out('d'), 4],
      ])
      expect(r.effects).toEqual([write('a'), write('b'), write('c'), R, write('d')])
      expect(r.state).toEqual(
        enabled({
          unacked: queue(['a', 1], ['b', 2], ['c', 3], ['d', 4]),
          sinceRequest: 1,
          requestedAt: 3,
        }),
      )
    })

    it('Ack: drops what h covers, in order, and reports it', () => {
      const s = enabled({ unacked: queue(['a', 1], ['b', 2], ['c', 3]), sinceRequest: 3 })
      const r = run(s, [ack(2)])
      expect(r.effects).toEqual([acked('a', 'b')])
      expect(r.state).toEqual(enabled({ outbound: 2, unacked: queue(['c', 3]), sinceRequest: 1 }))
    })

    it('Ack: an h already known changes nothing but stops the ack timeout', () => {
      const s = enabled({ outbound: 5, unacked: queue(['a', 1]), requestedAt: 1 })
      const r = run(s, [ack(5)])
      expect(r.effects).toEqual([])
      expect(r.state).toEqual({ ...s, requestedAt: undefined })
    })

    it('Ack: too high → undefined-condition with <handled-count-too-high/>, session given up (§6)', () => {
      const s = enabled({ outbound: 7, unacked: queue(['a', 1], ['b', 2]) })
      const r = run(s, [ack(10)])
      expect(r.state).toEqual(Sm.disabled)
      expect(r.effects).toEqual([tooHigh(10, 9), FAIL_IQS, fallback(['a', 1], ['b', 2])])
    })

    it('Ack: an h behind the last one is also too high (h never goes back, modulo 2^32)', () => {
      const r = run(enabled({ outbound: 7, unacked: queue(['a', 1]) }), [ack(6)])
      expect(r.effects[0]).toEqual(tooHigh(6, 8))
    })

    it('Ack: while enabling (a server that acks early) drops the same way', () => {
      const r = run(Sm.disabled, [ENABLE, out('a'), out('b'), ack(1)])
      expect(r.effects.slice(1)).toEqual([acked('a')])
    })

    it('StanzaIn: counts modulo 2^32', () => {
      const r = run(enabled({ inbound: Sm.MAX_H }), [IN, IN, R_IN])
      expect(r.effects).toEqual([A(1)])
    })

    it('Malformed: an unreadable SM nonza ends the stream with invalid-xml', () => {
      const bad = Sm.fromElement(tree(`<a ${SM} h='x'/>`)) as Ev
      expect(run(enabled(), [bad]).effects).toEqual([
        {
          _tag: 'StreamError',
          condition: 'invalid-xml',
          text: "<a/>: missing or invalid 'h'",
          element: undefined,
        },
      ])
      expect(run(Sm.disabled, [bad]).effects).toEqual([])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('step: time', () => {
    it('Tick: <r/> once a stanza waited ackInterval without a request, not before', () => {
      const s = run(enabled(), [[out('a'), 10]]).state
      expect(run(s, [[TICK, 14]]).effects).toEqual([])
      const r = run(s, [[TICK, 15]])
      expect(r.effects).toEqual([R])
      expect(r.state).toMatchObject({ sinceRequest: 0, requestedAt: 15 })
      // Covered now: no second request for the same stanza.
      expect(run(r.state, [[TICK, 30]]).effects).toEqual([])
    })

    it('Tick: measured from the oldest stanza sent after the last request', () => {
      const s = run(enabled(), [
        [out('a'), 0],
        [out('b'), 1],
        [out('c'), 2], // burst: <r/> at 2
        [out('d'), 8],
        [out('e'), 9],
      ]).state
      expect(run(s, [[TICK, 12]]).effects).toEqual([])
      expect(run(s, [[TICK, 13]]).effects).toEqual([R])
    })

    it('Tick: nothing unacked, nothing to request', () => {
      expect(run(enabled(), [[TICK, 1e9]]).effects).toEqual([])
    })

    it('Tick: an <r/> unanswered for ackTimeout → AckTimeout, once', () => {
      const o = Sm.options({ ackThreshold: 1, ackInterval: 5, ackTimeout: 20 })
      const s = run(enabled(), [[out('a'), 3]], o).state
      expect(run(s, [[TICK, 22]], o).effects).toEqual([])
      const r = run(s, [[TICK, 23]], o)
      expect(r.effects).toEqual([{ _tag: 'AckTimeout', requestedAt: 3 }])
      expect(run(r.state, [[TICK, 60]], o).effects).toEqual([])
      // An <a/> in time stops it.
      expect(run(s, [ack(0), [TICK, 50]], o).effects).toEqual([])
    })

    it('nextDeadline: the earliest Tick that can act', () => {
      const o = Sm.options({ ackThreshold: 3, ackInterval: 5, ackTimeout: 20 })
      const next = Sm.nextDeadline(o)
      expect(next(enabled())).toBeUndefined()
      expect(next(Sm.disabled)).toBeUndefined()
      const s = run(enabled(), [[out('a'), 10]], o).state
      expect(next(s)).toBe(15)
      const t = run(s, [[TICK, 15]], o).state
      expect(next(t)).toBe(35)
      expect(next(run(t, [LOST], o).state)).toBeUndefined()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('step: the unacked cap', () => {
    it('StanzaOut at maxUnacked: not written nor queued; <r/> once; Backpressure', () => {
      const o = Sm.options({ ackThreshold: 100, maxUnacked: 2 })
      const r = run(enabled(), [out('a'), out('b'), [out('c'), 4], [out('d'), 5]], o)
      expect(r.effects).toEqual([
        write('a'),
        write('b'),
        R,
        { _tag: 'Backpressure', stanza: 'c', limit: 2 },
        { _tag: 'Backpressure', stanza: 'd', limit: 2 },
      ])
      expect(Sm.unackedOf(r.state).map((u) => u.stanza)).toEqual(['a', 'b'])
      // Room again after an ack.
      expect(run(r.state, [ack(1), out('c')], o).effects).toEqual([acked('a'), write('c')])
    })

    it('StanzaOut at maxUnacked while detached: Backpressure, nothing else', () => {
      const o = Sm.options({ maxUnacked: 1 })
      const r = run(enabled(), [out('a'), LOST, out('b')], o)
      expect(r.effects).toEqual([write('a'), { _tag: 'Backpressure', stanza: 'b', limit: 1 }])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('step: resumption (§5)', () => {
    const sent = run(enabled({ inbound: 4 }), [
      [out('a'), 1],
      [out('b'), 2],
      [out('c'), 3],
      [out('d'), 4],
    ])

    it('LinkLost: a resumable session is Detached; stanzas sent now are queued, not written', () => {
      const r = run(sent.state, [LOST, [out('e'), 5]])
      expect(r.effects).toEqual([])
      expect(Sm.canResume(r.state)).toBe(true)
      expect(r.state).toMatchObject({ _tag: 'Detached', requestedAt: undefined })
      expect(Sm.unackedOf(r.state).map((u) => u.stanza)).toEqual(['a', 'b', 'c', 'd', 'e'])
    })

    it('LinkLost: no resumable session → FailPendingIqs and Fallback', () => {
      const s = enabled({ resumable: false, id: undefined, unacked: queue(['a', 1]) })
      expect(run(s, [LOST])).toEqual({
        state: Sm.disabled,
        effects: [FAIL_IQS, fallback(['a', 1])],
      })
      // Lost before <enabled/>: nothing was written, everything falls back.
      const e = run(Sm.disabled, [ENABLE, [out('x'), 2], LOST])
      expect(e.state).toEqual(Sm.disabled)
      expect(e.effects.slice(1)).toEqual([FAIL_IQS, fallback(['x', 2])])
    })

    it('Resume: sends <resume previd h/> with our h', () => {
      const r = run(sent.state, [LOST, RESUME])
      expect(r.state._tag).toBe('Resuming')
      expect(r.effects).toEqual([sendEl(Sm.resume('sm-1', 4))])
      expect(run(enabled(), [RESUME]).effects).toEqual([])
    })

    it('Resumed: drops what the server handled, resends exactly the rest in order, then <r/>', () => {
      const r = run(sent.state, [LOST, [out('e'), 5], RESUME, [resumedEv(2), 9]])
      expect(r.effects.slice(1)).toEqual([acked('a', 'b'), resend('c', 'd', 'e'), R])
      expect(r.state).toEqual(
        enabled({
          inbound: 4,
          outbound: 2,
          unacked: queue(['c', 3], ['d', 4], ['e', 5]),
          sinceRequest: 0,
          requestedAt: 9,
        }),
      )
    })

    it('Resumed: everything handled → nothing to resend', () => {
      const r = run(sent.state, [LOST, RESUME, resumedEv(4)])
      expect(r.effects.slice(1)).toEqual([acked('a', 'b', 'c', 'd')])
      expect(r.state).toMatchObject({ _tag: 'Enabled', unacked: [], requestedAt: undefined })
    })

    it('Resumed: an h too high → handled-count-too-high', () => {
      const r = run(sent.state, [LOST, RESUME, resumedEv(5)])
      expect(r.effects.slice(1)).toEqual([
        tooHigh(5, 4),
        FAIL_IQS,
        fallback(['a', 1], ['b', 2], ['c', 3], ['d', 4]),
      ])
    })

    it('Resumed: another previd is a protocol error; the session stays resumable', () => {
      const r = run(sent.state, [LOST, RESUME, resumedEv(2, 'sm-2')])
      expect(r.effects[1]).toMatchObject({ _tag: 'StreamError', condition: 'undefined-condition' })
      expect(r.state._tag).toBe('Detached')
    })

    it('LinkLost while resuming: Detached again, and Resume retries', () => {
      const r = run(sent.state, [LOST, RESUME, LOST, RESUME])
      expect(r.effects).toEqual([sendEl(Sm.resume('sm-1', 4)), sendEl(Sm.resume('sm-1', 4))])
    })

    it('Failed with h: what the old session handled is acknowledged, the rest falls back', () => {
      const r = run(sent.state, [LOST, RESUME, failedEv(1)])
      expect(r.state).toEqual(Sm.disabled)
      expect(r.effects.slice(1)).toEqual([
        acked('a'),
        FAIL_IQS,
        fallback(['b', 2], ['c', 3], ['d', 4]),
      ])
    })

    it('Failed without h (or with an h out of range): everything falls back', () => {
      for (const h of [undefined, 9]) {
        const r = run(sent.state, [LOST, RESUME, failedEv(h)])
        expect(r.effects.slice(1)).toEqual([
          FAIL_IQS,
          fallback(['a', 1], ['b', 2], ['c', 3], ['d', 4]),
        ])
      }
    })

    it('Abandon: a detached session given up', () => {
      expect(run(sent.state, [LOST, { _tag: 'Abandon' }]).effects).toEqual([
        FAIL_IQS,
        fallback(['a', 1], ['b', 2], ['c', 3], ['d', 4]),
      ])
      expect(run(enabled(), [{ _tag: 'Abandon' }]).effects).toEqual([])
    })

    it('Close: <a h/> before a clean close; what is unacknowledged is reported', () => {
      const r = run(sent.state, [IN, { _tag: 'Close' }])
      expect(r.state).toEqual(Sm.disabled)
      expect(r.effects).toEqual([
        A(5),
        { _tag: 'Unconfirmed', stanzas: queue(['a', 1], ['b', 2], ['c', 3], ['d', 4]) },
      ])
      expect(run(enabled(), [{ _tag: 'Close' }]).effects).toEqual([A(0)])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('persisted state (smState, resumeFrom)', () => {
    const s = enabled({
      id: 'sm-9',
      location: 'example.net:5222',
      inbound: Sm.MAX_H,
      outbound: 7,
      unacked: queue(['<message id="a"/>', 100]),
    })

    it('toSmState: JSON-safe, and undefined when there is nothing to resume', () => {
      const p = Sm.toSmState(s, (x) => x, 'juliet@example.com/balcony')
      expect(p).toEqual({
        version: 1,
        id: 'sm-9',
        jid: 'juliet@example.com/balcony',
        location: 'example.net:5222',
        inbound: Sm.MAX_H,
        outbound: 7,
        unacked: [{ xml: '<message id="a"/>', sentAt: 100 }],
      })
      expect(JSON.parse(JSON.stringify(p))).toEqual(p)
      expect(Sm.toSmState(Sm.disabled, (x: string) => x)).toBeUndefined()
      expect(Sm.toSmState(enabled({ resumable: false }), (x) => x)).toBeUndefined()
      expect(Sm.toSmState(run(Sm.disabled, [ENABLE]).state, (x) => x)).toBeUndefined()
    })

    it('resumeFrom: after a restart, <resume/> with the saved h, then the saved stanzas resent', () => {
      const saved = JSON.parse(JSON.stringify(Sm.toSmState(s, (x) => x))) as unknown
      const decoded = Sm.decodeSmState(saved)
      if (E.isLeft(decoded)) throw new Error(decoded.left)
      const restored = Sm.resumeFrom(decoded.right, (x) => x)
      const r = run(restored, [RESUME, resumedEv(7, 'sm-9')])
      expect(r.effects).toEqual([
        sendEl(Sm.resume('sm-9', Sm.MAX_H)),
        resend('<message id="a"/>'),
        R,
      ])
    })

    it('decodeSmState: rejects what is not an SmState', () => {
      const good = Sm.toSmState(s, (x) => x) as Sm.SmState
      for (const bad of [
        null,
        [],
        'x',
        { ...good, version: 2 },
        { ...good, id: '' },
        { ...good, inbound: -1 },
        { ...good, outbound: TWO32 },
        { ...good, inbound: 1.5 },
        { ...good, unacked: {} },
        { ...good, unacked: [{ xml: 1, sentAt: 0 }] },
        { ...good, unacked: [{ xml: '', sentAt: Number.NaN }] },
        { ...good, jid: 3 },
        { ...good, max: 0 },
      ])
        expect(E.isLeft(Sm.decodeSmState(bad))).toBe(true)
      expect(Sm.decodeSmState(good)).toEqual(E.right(good))
    })
  })

  // -----------------------------------------------------------------------------------
  describe('marbles (virtual time)', () => {
    it('requests an ack after a burst', () => {
      const ts = testScheduler()
      ts.run(({ hot, expectObservable }) => {
        const events = hot<Ev>('-abc---d|', {
          a: out('a'),
          b: out('b'),
          c: out('c'),
          d: out('d'),
        })
        expectObservable(harness(ts, opts, enabled())(events)).toBe('-ab(cR)d|', {
          a: write('a'),
          b: write('b'),
          c: write('c'),
          d: write('d'),
          R,
        })
      })
    })

    it('requests an ack when idle after ackInterval', () => {
      const ts = testScheduler()
      const o = Sm.options({ ackThreshold: 10, ackInterval: 5 })
      ts.run(({ hot, expectObservable }) => {
        const events = hot<Ev>('-a-b-------c--', { a: out('a'), b: out('b'), c: out('c') })
        expectObservable(harness(ts, o, enabled(), 1)(events), '^-------------------!').toBe(
          '-a-b--R----c----R---',
          { a: write('a'), b: write('b'), c: write('c'), R },
        )
      })
    })

    it('reports an unanswered <r/> after ackTimeout; an <a/> in time stops it', () => {
      const o = Sm.options({ ackThreshold: 1, ackInterval: 100, ackTimeout: 8 })
      const ts = testScheduler()
      ts.run(({ hot, expectObservable }) => {
        const lost = hot<Ev>('-a----------', { a: out('a') })
        expectObservable(harness(ts, o, enabled(), 1)(lost), '^-----------!').toBe('-(aR)----T--', {
          a: write('a'),
          R,
          T: { _tag: 'AckTimeout', requestedAt: 1 },
        })
      })
      const ts2 = testScheduler()
      ts2.run(({ hot, expectObservable }) => {
        const answered = hot<Ev>('-a----k-----', { a: out('a'), k: ack(1) })
        expectObservable(harness(ts2, o, enabled(), 1)(answered), '^-----------!').toBe(
          '-(aR)-k-----',
          { a: write('a'), R, k: acked('a') },
        )
      })
    })

    it('answers <r/> with the number of stanzas handled; nonzas do not count', () => {
      const ts = testScheduler()
      ts.run(({ hot, expectObservable }) => {
        const els = hot<Xml.XmlElement>('-mxfqr-pir|', {
          m: tree(`<message><body>hi</body></message>`),
          x: tree(`<a ${SM} h='0'/>`),
          f: tree(`<features xmlns='http://etherx.jabber.org/streams'/>`),
          q: tree(`<iq type='get' id='1'/>`),
          r: tree(`<r ${SM}/>`),
          p: tree(`<presence/>`),
          i: tree(`<active xmlns='urn:xmpp:csi:0'/>`),
        })
        expectObservable(harness(ts, opts, enabled())(fromElements(els))).toBe('-----A---B|', {
          A: A(2),
          B: A(3),
        })
      })
    })

    it('wraps h at 2^32: start at 2^32 − 2, send 5, acked by h = 3; receive 5, answer h = 3', () => {
      const ts = testScheduler()
      const o = Sm.options({ ackThreshold: 5, ackInterval: 100 })
      const start = enabled({ inbound: TWO32 - 2, outbound: TWO32 - 2 })
      ts.run(({ hot, expectObservable }) => {
        const events = hot<Ev>('-abcde----k-iiiiir|', {
          a: out('a'),
          b: out('b'),
          c: out('c'),
          d: out('d'),
          e: out('e'),
          k: ack(3),
          i: IN,
          r: R_IN,
        })
        expectObservable(harness(ts, o, start)(events)).toBe('-abcd(eR)-K------H|', {
          a: write('a'),
          b: write('b'),
          c: write('c'),
          d: write('d'),
          e: write('e'),
          R,
          K: acked('a', 'b', 'c', 'd', 'e'),
          H: A(3),
        })
      })
    })

    it('handled-count-too-high: an ack beyond what was sent ends the stream', () => {
      const ts = testScheduler()
      ts.run(({ hot, expectObservable }) => {
        const events = hot<Ev>('-ab-k----|', { a: out('a'), b: out('b'), k: ack(3) })
        expectObservable(harness(ts, opts, enabled())(events)).toBe('-ab-(EIF)|', {
          a: write('a'),
          b: write('b'),
          E: tooHigh(3, 2),
          I: FAIL_IQS,
          F: fallback(['a', 1], ['b', 2]),
        })
      })
    })

    it('resumes with a partial ack: exactly the rest resent, in order', () => {
      const ts = testScheduler()
      const o = Sm.options({ ackThreshold: 10, ackInterval: 100 })
      ts.run(({ hot, expectObservable }) => {
        const events = hot<Ev>('-abcde-L-f-S-D----|', {
          a: out('a'),
          b: out('b'),
          c: out('c'),
          d: out('d'),
          e: out('e'),
          f: out('f'),
          L: LOST,
          S: RESUME,
          D: resumedEv(2),
        })
        expectObservable(harness(ts, o, enabled({ inbound: 3 }))(events)).toBe(
          '-abcde-----S-(KXR)|',
          {
            a: write('a'),
            b: write('b'),
            c: write('c'),
            d: write('d'),
            e: write('e'),
            S: sendEl(Sm.resume('sm-1', 3)),
            K: acked('a', 'b'),
            X: resend('c', 'd', 'e', 'f'),
            R,
          },
        )
      })
    })

    it('resumption failed: fallback with delay stamps (the send times), pending IQs failed', () => {
      const ts = testScheduler()
      const o = Sm.options({ ackThreshold: 10, ackInterval: 100 })
      ts.run(({ hot, expectObservable }) => {
        const events = hot<Ev>('-ab-L-c-S-F----|', {
          a: out('a'),
          b: out('b'),
          c: out('c'),
          L: LOST,
          S: RESUME,
          F: failedEv(1),
        })
        expectObservable(harness(ts, o, enabled())(events)).toBe('-ab-----S-(KIB)|', {
          a: write('a'),
          b: write('b'),
          S: sendEl(Sm.resume('sm-1', 0)),
          K: acked('a'),
          I: FAIL_IQS,
          B: fallback(['b', 2], ['c', 6]),
        })
      })
    })
  })

  // -----------------------------------------------------------------------------------
  describe('properties', () => {
    const h32 = fc.oneof(
      fc.constantFrom(0, TWO32 - 1, TWO32 - 2, TWO32 - 5),
      fc.nat({ max: Sm.MAX_H }),
    )

    it('any interleaving of sends and acks: acknowledged ++ unacked = sent, counters mod 2^32', () => {
      const op = fc.oneof(
        fc.constant<{ readonly t: 'send' }>({ t: 'send' }),
        fc.record({ t: fc.constant('ack' as const), k: fc.nat({ max: 8 }) }),
        fc.record({ t: fc.constant('tick' as const), dt: fc.nat({ max: 10 }) }),
      )
      fc.assert(
        fc.property(h32, fc.array(op, { maxLength: 80, size: 'max' }), (start, ops) => {
          const o = Sm.options({ ackThreshold: 4, ackInterval: 5, maxUnacked: 1000 })
          const reduce = Sm.step(o)
          let state: Sm.State<string> = enabled({ inbound: start, outbound: start })
          const sent: string[] = []
          const ackedList: string[] = []
          let handled = 0 // what the simulated server has handled
          let now = 0
          for (const x of ops) {
            let ev: Ev
            if (x.t === 'send') {
              sent.push(`s${sent.length}`)
              ev = out(`s${sent.length - 1}`)
            } else if (x.t === 'ack') {
              handled = Math.min(sent.length, handled + x.k)
              ev = ack(Sm.addH(start, handled))
            } else {
              now += x.dt
              ev = TICK
            }
            const r: Sm.Step<string> = reduce(state, ev, now)
            state = r.state
            for (const e of r.effects) {
              if (e._tag === 'Acknowledged') ackedList.push(...e.stanzas)
              else if (e._tag !== 'Write' && e._tag !== 'Send') throw new Error(`effect ${e._tag}`)
            }
            if (state._tag !== 'Enabled') throw new Error(`left Enabled: ${state._tag}`)
            // Cheap checks at every step (a failure shows the step); `expect` is too slow here.
            const unacked = state.unacked.map((u) => u.stanza)
            const holds =
              [...ackedList, ...unacked].join() === sent.join() &&
              ackedList.join() === sent.slice(0, handled).join() &&
              state.outbound === (start + handled) % TWO32 &&
              Sm.sentCount(state) === (start + sent.length) % TWO32 &&
              state.inbound === start
            if (!holds)
              throw new Error(`inconsistent after ${JSON.stringify(x)}: ${JSON.stringify(state)}`)
          }
        }),
        { numRuns: 300 },
      )
    })

    it('only message/presence/iq count: <a h/> answers the number of stanzas among any elements', () => {
      const pool = [
        tree(`<message/>`),
        tree(`<presence/>`),
        tree(`<iq type='result' id='x'/>`),
        tree(`<a ${SM} h='0'/>`),
        tree(`<enabled ${SM}/>`),
        tree(`<features xmlns='http://etherx.jabber.org/streams'/>`),
        tree(`<message xmlns='jabber:server'/>`),
        tree(`<inactive xmlns='urn:xmpp:csi:0'/>`),
      ]
      fc.assert(
        fc.property(h32, fc.array(fc.nat({ max: pool.length - 1 })), (start, picks) => {
          const els = picks.map((i) => pool[i] as Xml.XmlElement)
          const events = els.flatMap((el) => {
            const e = Sm.fromElement(el)
            return e === undefined ? [] : [e as Ev]
          })
          const r = run(enabled({ inbound: start }), [...events, R_IN])
          const stanzas = picks.filter((i) => i <= 2).length
          expect(r.effects).toEqual([A(Sm.addH(start, stanzas))])
        }),
      )
    })

    // A simulated server and two wires: no stanza lost or duplicated across link losses.

    type Item =
      | { readonly kind: 'stanza'; readonly id: string }
      | { readonly kind: 'el'; readonly el: Xml.XmlElement }

    type Op =
      | { readonly t: 'send' }
      | { readonly t: 'serverSend' }
      | { readonly t: 'serverProcess'; readonly n: number }
      | { readonly t: 'clientProcess'; readonly n: number }
      | { readonly t: 'serverR' }
      | { readonly t: 'serverA' }
      | { readonly t: 'tick'; readonly dt: number }
      | { readonly t: 'cut'; readonly p: number; readonly q: number }
      | { readonly t: 'reconnect'; readonly resume: boolean }

    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.constant<Op>({ t: 'send' }) },
      { weight: 4, arbitrary: fc.constant<Op>({ t: 'serverSend' }) },
      { weight: 4, arbitrary: fc.nat({ max: 6 }).map((n): Op => ({ t: 'serverProcess', n })) },
      { weight: 4, arbitrary: fc.nat({ max: 6 }).map((n): Op => ({ t: 'clientProcess', n })) },
      { weight: 1, arbitrary: fc.constant<Op>({ t: 'serverR' }) },
      { weight: 1, arbitrary: fc.constant<Op>({ t: 'serverA' }) },
      { weight: 2, arbitrary: fc.nat({ max: 8 }).map((dt): Op => ({ t: 'tick', dt })) },
      {
        weight: 1,
        arbitrary: fc
          .record({ p: fc.nat({ max: 8 }), q: fc.nat({ max: 8 }) })
          .map(({ p, q }): Op => ({ t: 'cut', p, q })),
      },
      { weight: 2, arbitrary: fc.boolean().map((resume): Op => ({ t: 'reconnect', resume })) },
    )

    interface Outcome {
      readonly sent: ReadonlyArray<string>
      readonly delivered: ReadonlyArray<string>
      readonly serverSent: ReadonlyArray<string>
      readonly handled: ReadonlyArray<string>
      readonly acknowledged: ReadonlyArray<string>
      readonly violations: ReadonlyArray<string>
      readonly failures: number
    }

    /**
     * Client (the step function plus what the connection does with its effects) and server
     * (mod_smacks-like: counts, acks, resends after <resumed/>, forgets on failure) over two
     * wires; `cut` lets the server take a prefix of what is in flight and the client a prefix of
     * the other way, and loses the rest. `failH`: a failed resumption carries the server's h.
     */
    const simulate = (start: number, ops: ReadonlyArray<Op>, failH: boolean): Outcome => {
      const o = Sm.options({ ackThreshold: 3, ackInterval: 4, maxUnacked: 100_000 })
      const reduce = Sm.step(o)
      // Widened: `feed` reassigns it from closures, which narrowing does not see.
      let state = enabled({ id: 'sm-0', inbound: start, outbound: start }) as Sm.State<string>
      let now = 0
      let linkUp = true
      let toServer: Item[] = []
      let toClient: Item[] = []
      const sent: string[] = []
      const delivered: string[] = []
      const serverSent: string[] = []
      const handled: string[] = []
      const acknowledged: string[] = []
      const violations: string[] = []
      let failures = 0
      let fallbackQueue: string[] = []
      const offline: string[] = []
      let sessions = 0
      let resumeNext = true
      // The server's session: h of our stanzas, its unacked stanzas to us, our last h, and
      // whether it is attached to the current link (else hibernating).
      let sess:
        | { id: string; h: number; out: string[]; outAcked: number; attached: boolean }
        | undefined = { id: 'sm-0', h: start, out: [], outAcked: start, attached: true }
      const expired = new Map<string, number>()

      const apply = (effects: ReadonlyArray<Fx>): void => {
        for (const e of effects)
          switch (e._tag) {
            case 'Write':
              if (!linkUp) violations.push(`Write ${e.stanza} with the link down`)
              else toServer.push({ kind: 'stanza', id: e.stanza })
              break
            case 'Resend':
              for (const id of e.stanzas) toServer.push({ kind: 'stanza', id })
              break
            case 'Send':
              if (linkUp) toServer.push({ kind: 'el', el: e.element })
              else violations.push(`Send <${e.element.name}/> with the link down`)
              break
            case 'Acknowledged':
              acknowledged.push(...e.stanzas)
              break
            case 'Fallback':
              fallbackQueue.push(...e.stanzas.map((u) => u.stanza))
              break
            case 'FailPendingIqs':
              failures++
              break
            default:
              violations.push(`unexpected ${JSON.stringify(e)}`)
          }
      }
      const feed = (ev: Ev): void => {
        const r = reduce(state, ev, now)
        state = r.state
        apply(r.effects)
      }
      /** After a fresh bind: enable, then the fallback (with its <delay/>), then what waited. */
      const restart = (): void => {
        feed(ENABLE)
        const again = [...fallbackQueue, ...offline.splice(0)]
        fallbackQueue = []
        for (const id of again) feed(out(id))
      }
      const serverTake = (n: number): void => {
        for (const item of toServer.splice(0, n)) {
          if (item.kind === 'stanza') {
            if (sess === undefined) {
              violations.push(`stanza ${item.id} outside a session`)
              continue
            }
            delivered.push(item.id)
            sess.h = Sm.addH(sess.h, 1)
            continue
          }
          const { name, attrs } = item.el
          if (name === 'r' && sess !== undefined)
            toClient.push({ kind: 'el', el: Sm.answer(sess.h) })
          else if (name === 'a' && sess !== undefined) {
            const h = Number(attrs.h)
            const k = Sm.diffH(sess.outAcked, h)
            if (k > sess.out.length) violations.push(`client over-acked: ${h}`)
            sess.out.splice(0, k)
            sess.outAcked = h
          } else if (name === 'enable') {
            sessions++
            sess = { id: `sm-${sessions}`, h: 0, out: [], outAcked: 0, attached: true }
            toClient.push({
              kind: 'el',
              el: Xml.element('enabled', Sm.NS_SM, { id: sess.id, resume: 'true' }),
            })
          } else if (name === 'resume') {
            const previd = attrs.previd ?? ''
            const h = Number(attrs.h)
            if (sess !== undefined && sess.id === previd && resumeNext) {
              const k = Sm.diffH(sess.outAcked, h)
              if (k > sess.out.length) violations.push(`client resumed with h too high: ${h}`)
              sess.out.splice(0, k)
              sess.outAcked = h
              sess.attached = true
              toClient.push({
                kind: 'el',
                el: Xml.element('resumed', Sm.NS_SM, { previd, h: String(sess.h) }),
              })
              for (const id of sess.out) toClient.push({ kind: 'stanza', id })
            } else {
              if (sess !== undefined && sess.id === previd) expired.set(previd, sess.h)
              sess = undefined
              const known = expired.get(previd)
              toClient.push({
                kind: 'el',
                el: Xml.element(
                  'failed',
                  Sm.NS_SM,
                  failH && known !== undefined ? { h: String(known) } : {},
                  [Xml.element('item-not-found', STANZAS)],
                ),
              })
            }
          } else violations.push(`server got <${name}/> unexpectedly`)
        }
      }
      const clientTake = (n: number): void => {
        for (const item of toClient.splice(0, n)) {
          if (item.kind === 'stanza') {
            handled.push(item.id)
            feed(IN)
            continue
          }
          const ev = Sm.fromElement(item.el)
          if (ev === undefined) throw new Error(`test: unread <${item.el.name}/>`)
          feed(ev)
          // A failed resumption: bind afresh (not simulated) and start over.
          if (ev._tag === 'Failed' && state._tag === 'Disabled') restart()
        }
      }
      const reconnect = (resume: boolean): void => {
        linkUp = true
        toServer = []
        toClient = []
        resumeNext = resume
        if (Sm.canResume(state)) feed(RESUME)
        else restart()
      }

      for (const op of ops) {
        switch (op.t) {
          case 'send': {
            const id = `c${sent.length}`
            sent.push(id)
            if (!linkUp && state._tag === 'Disabled') offline.push(id)
            else feed(out(id))
            break
          }
          case 'serverSend':
            if (sess !== undefined) {
              const id = `s${serverSent.length}`
              serverSent.push(id)
              sess.out.push(id)
              if (sess.attached) toClient.push({ kind: 'stanza', id })
            }
            break
          case 'serverProcess':
            if (linkUp) serverTake(op.n)
            break
          case 'clientProcess':
            if (linkUp) clientTake(op.n)
            break
          case 'serverR':
            if (sess?.attached === true) toClient.push({ kind: 'el', el: Sm.request() })
            break
          case 'serverA':
            if (sess?.attached === true) toClient.push({ kind: 'el', el: Sm.answer(sess.h) })
            break
          case 'tick':
            now += op.dt
            feed(TICK)
            break
          case 'cut':
            if (linkUp) {
              serverTake(Math.min(op.p, toServer.length))
              clientTake(Math.min(op.q, toClient.length))
              linkUp = false
              toServer = []
              toClient = []
              if (sess !== undefined) sess.attached = false
              feed(LOST)
            }
            break
          case 'reconnect':
            if (!linkUp) reconnect(op.resume)
            break
        }
      }
      // Quiesce: reconnect if needed, then let both sides drain and ack each other.
      if (!linkUp) reconnect(true)
      for (let round = 0; round < 8; round++) {
        serverTake(toServer.length)
        clientTake(toClient.length)
        if (sess?.attached === true)
          toClient.push({ kind: 'el', el: Sm.answer(sess.h) }, { kind: 'el', el: Sm.request() })
      }
      if (Sm.unackedOf(state).length > 0) violations.push('client unacked not empty at the end')
      if (sess !== undefined && sess.out.length > 0) violations.push('server unacked not empty')
      if (offline.length > 0 || fallbackQueue.length > 0) violations.push('stanzas left behind')
      return { sent, delivered, serverSent, handled, acknowledged, violations, failures }
    }

    const simRuns = { numRuns: 300 }
    const opsArb = fc.array(opArb, { maxLength: 150, size: 'max' })

    it('resumptions only: every stanza exactly once and in order, both ways, any number of cuts', () => {
      fc.assert(
        fc.property(
          h32,
          opsArb.map((ops) =>
            ops.map((op): Op => (op.t === 'reconnect' ? { ...op, resume: true } : op)),
          ),
          (start, ops) => {
            const r = simulate(start, ops, true)
            expect(r.violations).toEqual([])
            expect(r.delivered).toEqual(r.sent)
            expect(r.acknowledged).toEqual(r.sent)
            expect(r.handled).toEqual(r.serverSent)
            expect(r.failures).toBe(0)
          },
        ),
        simRuns,
      )
    })

    it('resumptions that fail with h: our stanzas still exactly once and in order', () => {
      fc.assert(
        fc.property(h32, opsArb, (start, ops) => {
          const r = simulate(start, ops, true)
          expect(r.violations).toEqual([])
          expect(r.delivered).toEqual(r.sent)
          expect(r.acknowledged).toEqual(r.sent)
        }),
        simRuns,
      )
    })

    it('resumptions that fail without h: nothing lost (a duplicate is possible, XEP-0198 §4)', () => {
      fc.assert(
        fc.property(h32, opsArb, (start, ops) => {
          const r = simulate(start, ops, false)
          expect(r.violations).toEqual([])
          const firsts = r.delivered.filter((id, i) => r.delivered.indexOf(id) === i)
          expect(firsts).toEqual(r.sent)
          expect(r.acknowledged).toEqual(r.sent)
        }),
        simRuns,
      )
    })
  })
})
