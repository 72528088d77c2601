import { describe, expect, it } from '@jest/globals'
import { type Observable, type ObservedValueOf, Subject } from 'rxjs'
import * as Extension from '../../src/Extension.js'
import { ChatState } from '../../src/ext/ChatState.js'
import { Delay } from '../../src/ext/Delay.js'
import { DiscoInfo } from '../../src/ext/Disco.js'
import * as Iq from '../../src/Iq.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import { withExtension } from '../../src/rx/withExtension.js'
import type { Stanza } from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import type { Equals } from '../helpers.js'
import { PEER, pingEl, recorder, testScheduler } from './helpers.js'

const STATES = 'http://jabber.org/protocol/chatstates'
const composingEl = Xml.element('composing', STATES)
const delayEl = (stamp: string): Xml.XmlElement =>
  Xml.element('delay', 'urn:xmpp:delay', { stamp, from: 'example.net' }, ['Offline Storage'])

const chat = (id: string, payload: ReadonlyArray<Xml.XmlElement> = []): Message.Message =>
  Message.make({ id, from: PEER, type: 'chat', body: 'hi', payload })

const STAMP = '2002-09-10T23:08:25Z'
const stamp = (): Extension.DateTime => {
  const r = Extension.DateTime.parse(STAMP)
  if (r._tag === 'Left') throw new Error('fixture')
  return r.right
}

describe('rx/withExtension', () => {
  // -----------------------------------------------------------------------------------
  describe('operators (marbles)', () => {
    it('withExtension: pairs each stanza of the kinds carrying the element with its record', () => {
      const values = {
        c: chat('c', [composingEl]),
        a: chat('a', [Xml.element('active', STATES)]),
        n: chat('n'),
        // the element on a kind the extension does not cover: skipped
        p: Presence.make({ id: 'p', from: PEER, payload: [composingEl] }),
        i: Iq.make({ type: 'result', id: 'i', from: PEER, payload: [composingEl] }),
        // other namespaces and names do not count
        o: chat('o', [Xml.element('composing', 'urn:example:other'), pingEl]),
      }
      const out = {
        C: [values.c, 'composing'] as const,
        A: [values.a, 'active'] as const,
      }
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const src = cold<Stanza>('-c-n-p-i-o-a-|', values)
        expectObservable(src.pipe(withExtension(ChatState))).toBe('-C---------A-|', out)
        expectSubscriptions(src.subscriptions).toBe('^------------!')
      })
    })

    it('withExtension: covers every kind of the extension (Delay: message and presence)', () => {
      const values = {
        m: chat('m', [delayEl(STAMP)]),
        p: Presence.make({ id: 'p', from: PEER, payload: [delayEl(STAMP)] }),
        i: Iq.make({ type: 'result', id: 'i', from: PEER, payload: [delayEl(STAMP)] }),
        n: Presence.make({ id: 'n', from: PEER }),
      }
      const d = { stamp: stamp(), from: 'example.net', reason: 'Offline Storage' }
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Stanza>('-m-i-n-p|', values).pipe(withExtension(Delay))).toBe(
          '-M-----P|',
          { M: [values.m, d], P: [values.p, d] },
        )
      })
    })

    it('withExtension: an invalid instance is skipped, like an absent one', () => {
      const values = {
        b: chat('b', [delayEl('yesterday')]), // not an XEP-0082 DateTime
        j: chat('j', [Xml.element('delay', 'urn:xmpp:delay', { stamp: STAMP, from: '@bad' })]),
        s: chat('s', [Xml.element('delay', 'urn:xmpp:delay')]), // stamp missing
        g: chat('g', [delayEl(STAMP)]),
      }
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Stanza>('-b-j-s-g-|', values).pipe(withExtension(Delay))).toBe(
          '-------G-|',
          { G: [values.g, { stamp: stamp(), from: 'example.net', reason: 'Offline Storage' }] },
        )
      })
    })

    it('withExtension: the first match decides (Extension.get): an invalid first is skipped', () => {
      const values = {
        x: chat('x', [delayEl('yesterday'), delayEl(STAMP)]),
        y: chat('y', [delayEl(STAMP), delayEl('yesterday')]),
      }
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Stanza>('-x-y-|', values).pipe(withExtension(Delay))).toBe('---Y-|', {
          Y: [values.y, { stamp: stamp(), from: 'example.net', reason: 'Offline Storage' }],
        })
      })
    })

    it('withExtension: passes completion and errors through', () => {
      const values = { c: chat('c', [composingEl]), n: chat('n') }
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Stanza>('--|', values).pipe(withExtension(ChatState))).toBe('--|')
        expectObservable(cold<Stanza>('-n-|', values).pipe(withExtension(ChatState))).toBe('---|')
        const boom = new Error('socket reset')
        expectObservable(cold<Stanza>('-c-n-#', values, boom).pipe(withExtension(ChatState))).toBe(
          '-C---#',
          { C: [values.c, 'composing'] },
          boom,
        )
      })
    })

    it('withExtension: emits the incoming stanza object itself, not a copy', () => {
      const src = new Subject<Stanza>()
      const { seen, observer } = recorder()
      src.pipe(withExtension(ChatState)).subscribe(observer)
      const c = chat('c', [composingEl])
      src.next(c)
      src.complete()
      const [first] = seen
      expect(first !== undefined && 'next' in first).toBe(true)
      const pair = (first as { readonly next: readonly [Stanza, unknown] }).next
      expect(pair[0]).toBe(c)
      expect(pair[1]).toBe('composing')
      expect(seen[1]).toEqual({ complete: true })
    })
  })

  // -----------------------------------------------------------------------------------
  describe('decoding', () => {
    /** XEP-0224 attention, as a user would define it, counting its decodes. */
    const counted = () => {
      const inner = Extension.element('attention', 'urn:xmpp:attention:0', {
        reason: Extension.optional(Extension.attr('reason')),
      })
      let calls = 0
      const def: Extension.ElementDef<Extension.TypeOf<typeof inner>> = {
        ...inner,
        decodeAt: (el, path, problems) => {
          calls++
          return inner.decodeAt(el, path, problems)
        },
      }
      return { ext: Extension.fromElement(def, { on: ['message'] }), calls: () => calls }
    }
    const attention = (reason?: string): Xml.XmlElement =>
      Xml.element('attention', 'urn:xmpp:attention:0', reason === undefined ? {} : { reason })

    it('withExtension: decodes once per matching stanza, never for other kinds or no match', () => {
      const { ext, calls } = counted()
      const values = {
        a: chat('a', [attention('lunch')]),
        b: chat('b', [attention(), attention('second')]), // only the first is decoded
        n: chat('n'),
        p: Presence.make({ id: 'p', from: PEER, payload: [attention('nope')] }),
      }
      const seen: Array<unknown> = []
      testScheduler().run(({ cold, expectObservable }) => {
        const out$ = cold<Stanza>('-a-n-p-b-|', values).pipe(withExtension(ext))
        out$.subscribe(([, a]) => seen.push(a))
        expectObservable(out$).toBe('-A-----B-|', {
          A: [values.a, { reason: 'lunch' }],
          B: [values.b, {}],
        })
      })
      // two subscriptions (ours and expectObservable's), each decoding a and b once
      expect(calls()).toBe(4)
      expect(seen).toEqual([{ reason: 'lunch' }, {}])
    })

    it('withExtension: a user-defined extension (Extension.define) works the same way', () => {
      const Attention = Extension.define({
        name: 'attention',
        ns: 'urn:xmpp:attention:0',
        on: ['message'],
        fields: { reason: Extension.optional(Extension.attr('reason')) },
      })
      const src = new Subject<Stanza>()
      const { seen, observer } = recorder()
      src.pipe(withExtension(Attention)).subscribe(observer)
      const m = chat('m', [attention('lunch')])
      src.next(chat('n'))
      src.next(m)
      expect(seen).toEqual([{ next: [m, { reason: 'lunch' }] }])
    })
  })

  // -----------------------------------------------------------------------------------
  describe('types', () => {
    it('withExtension: narrows the stanza type to the extension kinds', () => {
      const src: Observable<Stanza> = new Subject<Stanza>()
      const states = src.pipe(withExtension(ChatState))
      const delays = src.pipe(withExtension(Delay))
      const infos = src.pipe(withExtension(DiscoInfo))
      const s: Equals<ObservedValueOf<typeof states>, readonly [Message.Message, ChatState]> = true
      const d: Equals<
        ObservedValueOf<typeof delays>,
        readonly [Message.Message | Presence.Presence, Delay]
      > = true
      const i: Equals<ObservedValueOf<typeof infos>, readonly [Iq.Iq, DiscoInfo]> = true
      // @ts-expect-error a chat state comes only with a message
      const wrong: Equals<ObservedValueOf<typeof states>, readonly [Stanza, ChatState]> = true
      const fine: Observable<readonly [Message.Message, ChatState]> = states
      // @ts-expect-error a delay may come with a presence
      const notOnlyMessages: Observable<readonly [Message.Message, Delay]> = delays
      // a source already narrowed to messages works too
      const fromMessages = new Subject<Message.Message>().pipe(withExtension(ChatState))
      const m: Equals<
        ObservedValueOf<typeof fromMessages>,
        readonly [Message.Message, ChatState]
      > = true
      expect([s, d, i, wrong, fine, notOnlyMessages, m]).toHaveLength(7)
    })
  })
})
