import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { isMucSelfPresence, MucJoin, MucUser, USER } from '../../src/ext/Muc.js'
import * as Presence from '../../src/Presence.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { mucUser } from '../arbitraries/ext.js'
import { presence as arbPresence } from '../arbitraries/Stanza.js'
import { jid } from '../helpers.js'

const presence = (file: string): Presence.Presence => {
  const xml = readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8')
  const r = Stanza.decode(xml)
  if (E.isLeft(r) || r.right.kind !== 'presence') throw new Error(`${file}: not a presence`)
  return r.right
}

const room = (fields: Presence.Fields = {}): Presence.Presence =>
  Presence.make({
    from: jid('coven@chat.shakespeare.lit/thirdwitch'),
    to: jid('hag66@shakespeare.lit/pda'),
    ...fields,
  })

const occupant = { affiliation: 'member', role: 'participant' } as const

describe('ext/Muc', () => {
  describe('rules', () => {
    it.each([
      ['Example 22 (new occupant, §7.2.2)', 'xep-0045/self-presence-nick-assigned.xml'],
      ['Example 154 (room created, §10.1.1)', 'xep-0045/room-created.xml'],
      ['Example 50 (nick changed, §7.6)', 'xep-0045/nick-change-self.xml'],
      ['Example 90 (kicked, §8.2)', 'xep-0045/kick-self.xml'],
      ['Example 43 (groupchat 1.0 join refused, §7.2.18)', 'xep-0045/groupchat1-join-refused.xml'],
    ])(
      'isMucSelfPresence: true for the self-presence of XEP-0045 %s: status 110 (XEP-0045 §7.2.2)',
      (_example, file) => {
        expect(isMucSelfPresence(presence(file))).toBe(true)
      },
    )

    it.each([
      ['Example 55 (another occupant’s presence change)', 'xep-0045/presence-change-broadcast.xml'],
      ['Example 97 (voice granted, broadcast)', 'xep-0045/voice-granted-broadcast.xml'],
      ['Example 114 (ban, broadcast)', 'xep-0045/ban-broadcast.xml'],
      ['Example 18 (a join)', 'xep-0045/join.xml'],
    ])(
      'isMucSelfPresence: false for XEP-0045 %s: no status 110 (XEP-0045 §7.2.2)',
      (_example, file) => {
        expect(isMucSelfPresence(presence(file))).toBe(false)
      },
    )

    it('isMucSelfPresence: false for a presence without a muc#user element (XEP-0045 §7.2.2)', () => {
      expect(isMucSelfPresence(room())).toBe(false)
      expect(isMucSelfPresence(room({ status: '110' }))).toBe(false)
    })

    it('isMucSelfPresence: only a muc#user <status code="110"/> counts, not one in the muc namespace (XEP-0045 §19.2)', () => {
      const muc = Xml.element('x', MucJoin.ns, {}, [
        Xml.element('status', MucJoin.ns, { code: '110' }),
      ])
      expect(isMucSelfPresence(room({ payload: [muc] }))).toBe(false)
      const other = Xml.element('x', 'urn:example', {}, [
        Xml.element('status', USER, { code: '110' }),
      ])
      expect(isMucSelfPresence(room({ payload: [other] }))).toBe(false)
    })

    it('isMucSelfPresence: 110 among other status codes, in any order (XEP-0045 §7.2.2, §16.6)', () => {
      for (const statusCodes of [[110], [100, 110, 170], [210, 110], [303, 110]])
        expect(
          isMucSelfPresence(
            pipe(room(), MucUser.set({ items: [occupant], statusCodes, invites: [] })),
          ),
        ).toBe(true)
      expect(
        isMucSelfPresence(
          pipe(
            room(),
            MucUser.set({ items: [occupant], statusCodes: [100, 170, 1100], invites: [] }),
          ),
        ),
      ).toBe(false)
    })

    it('isMucSelfPresence: also for the unavailable self-presence on exit (XEP-0045 §7.14)', () => {
      const exit = pipe(
        room({ type: 'unavailable' }),
        MucUser.set({
          items: [{ affiliation: 'member', role: 'none' }],
          statusCodes: [110],
          invites: [],
        }),
      )
      expect(isMucSelfPresence(exit)).toBe(true)
    })

    it('isMucSelfPresence: true exactly when a muc#user element has status 110 (XEP-0045 §7.2.2)', () => {
      fc.assert(
        fc.property(arbPresence, fc.array(mucUser, { maxLength: 2 }), (p, xs) => {
          const s = xs.reduce((acc, x) => MucUser.add(x)(acc), MucUser.remove(p))
          expect(isMucSelfPresence(s)).toBe(xs.some((x) => x.statusCodes.includes(110)))
        }),
        { numRuns: 60 },
      )
    })
  })
})
