import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { isRosterPushFrom, Roster } from '../../src/ext/Roster.js'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { roster as arbRoster } from '../arbitraries/ext.js'
import { iq as arbIq, jid as arbJid, fullJid } from '../arbitraries/Stanza.js'
import { jid } from '../helpers.js'

const decode = (xml: string): Iq.Iq => {
  const r = Stanza.decode(xml)
  if (E.isLeft(r) || r.right.kind !== 'iq') throw new Error('not an iq')
  return r.right
}

const fixture = (file: string): Iq.Iq =>
  decode(readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8'))

const ME = jid('juliet@example.com/chamber')
const MY_BARE = jid('juliet@example.com')

/** RFC 6121 §2.1.6's push (fixture `roster-push`), from `from` when given. */
const push = (from?: Jid.Jid): Iq.Iq => {
  const p = fixture('rfc-6121/roster-push.xml')
  return from === undefined ? p : { ...p, from }
}

describe('ext/Roster', () => {
  describe('rules', () => {
    it('isRosterPushFrom: a push without from comes from our account (RFC 6121 §2.1.6)', () => {
      expect(push().from).toBeUndefined()
      expect(isRosterPushFrom(ME)(push())).toBe(true)
      const romeo = jid('romeo@example.net/foo')
      expect(isRosterPushFrom(romeo)(fixture('rfc-6121/roster-push-ask-subscribe.xml'))).toBe(true)
    })

    it('isRosterPushFrom: a push from our bare JID is accepted (RFC 6121 §2.1.6)', () => {
      expect(isRosterPushFrom(ME)(push(MY_BARE))).toBe(true)
      expect(isRosterPushFrom(MY_BARE)(push(MY_BARE))).toBe(true)
    })

    it('isRosterPushFrom: the bare JID is compared in canonical form (RFC 6121 §2.1.6; RFC 7622 §3)', () => {
      const p = decode(
        `<iq from='JULIET@Example.COM' id='a78b4q6ha463' type='set'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com'/></query></iq>`,
      )
      expect(isRosterPushFrom(ME)(p)).toBe(true)
    })

    it('isRosterPushFrom: a push from a full JID, even one of ours, is ignored (RFC 6121 §2.1.6)', () => {
      expect(isRosterPushFrom(ME)(push(ME))).toBe(false)
      expect(isRosterPushFrom(ME)(push(jid('juliet@example.com/balcony')))).toBe(false)
    })

    it('isRosterPushFrom: a push from anyone else is a spoof and is ignored (RFC 6121 §2.1.6)', () => {
      for (const from of [
        'romeo@example.net',
        'example.com',
        'mallory@evil.example/x',
        'juliet@example.net',
      ])
        expect(isRosterPushFrom(ME)(push(jid(from)))).toBe(false)
    })

    it('isRosterPushFrom: a push is an iq set (RFC 6121 §2.1.6)', () => {
      for (const type of ['get', 'result', 'error'] as const)
        expect(isRosterPushFrom(ME)({ ...push(), type })).toBe(false)
      expect(isRosterPushFrom(ME)(fixture('rfc-6121/roster-result.xml'))).toBe(false)
    })

    it('isRosterPushFrom: a push carries a jabber:iq:roster query (RFC 6121 §2.1.6)', () => {
      const ping = Iq.set(Xml.element('ping', 'urn:xmpp:ping'), { id: 'x' })
      expect(isRosterPushFrom(ME)(ping)).toBe(false)
      expect(isRosterPushFrom(ME)({ ...push(), payload: [] })).toBe(false)
    })

    it('isRosterPushFrom: true exactly for sets with a roster query from nobody or our bare JID (RFC 6121 §2.1.6)', () => {
      fc.assert(
        fc.property(
          arbIq,
          arbRoster,
          fullJid,
          fc.oneof(arbJid, fc.constant(undefined)),
          (iq0, r, me, from0) => {
            const iq = Roster.set(r)(iq0)
            const from = from0 ?? (iq0.id.length % 2 === 0 ? Jid.bare(me) : undefined)
            const { from: _f, ...rest } = iq
            const s: Iq.Iq = from === undefined ? rest : { ...rest, from }
            expect(isRosterPushFrom(me)(s)).toBe(
              s.type === 'set' && (s.from === undefined || s.from === Jid.bare(me)),
            )
          },
        ),
        { numRuns: 100 },
      )
    })
  })
})
