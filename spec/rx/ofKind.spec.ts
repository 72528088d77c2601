import { describe, expect, it } from '@jest/globals'
import { type Observable, Subject } from 'rxjs'
import * as Iq from '../../src/Iq.js'
import * as Message from '../../src/Message.js'
import * as Presence from '../../src/Presence.js'
import { ofKind } from '../../src/rx/ofKind.js'
import type { Stanza } from '../../src/Stanza.js'
import { pingEl, testScheduler } from './helpers.js'

const values: Record<'m' | 'p' | 'i', Stanza> = {
  m: Message.make({ body: 'hi' }),
  p: Presence.make({ show: 'away' }),
  i: Iq.get(pingEl, { id: 'i1' }),
}

describe('rx/ofKind', () => {
  describe('operators', () => {
    it('ofKind: keeps one kind (marbles)', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const src = cold('--m--p--i--m--|', values)
        expectObservable(src.pipe(ofKind('message'))).toBe('--m--------m--|', values)
        expectObservable(src.pipe(ofKind('presence'))).toBe('-----p--------|', values)
        expectObservable(src.pipe(ofKind('iq'))).toBe('--------i-----|', values)
        expectSubscriptions(src.subscriptions).toBe([
          '^-------------!',
          '^-------------!',
          '^-------------!',
        ])
      })
    })

    it('ofKind: passes errors through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-m-#', values).pipe(ofKind('iq'))).toBe('---#')
      })
    })

    it('ofKind: narrows the type', () => {
      const src: Observable<Stanza> = new Subject<Stanza>()
      const m: Observable<Message.Message> = src.pipe(ofKind('message'))
      const p: Observable<Presence.Presence> = src.pipe(ofKind('presence'))
      const i: Observable<Iq.Iq> = src.pipe(ofKind('iq'))
      // @ts-expect-error presences are not messages
      const wrong: Observable<Message.Message> = src.pipe(ofKind('presence'))
      // @ts-expect-error not a kind
      ofKind('error')
      expect([m, p, i, wrong]).toHaveLength(4)
    })
  })
})
