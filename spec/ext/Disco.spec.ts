import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { ChatState } from '../../src/ext/ChatState.js'
import { DataForm } from '../../src/ext/DataForm.js'
import { Delay } from '../../src/ext/Delay.js'
import { DiscoInfo, discoInfoFor, INFO } from '../../src/ext/Disco.js'
import { Forwarded } from '../../src/ext/Forwarded.js'
import { MucUser } from '../../src/ext/Muc.js'
import { Ping } from '../../src/ext/Ping.js'
import { ReceiptReceived, ReceiptRequest } from '../../src/ext/Receipts.js'
import { Roster } from '../../src/ext/Roster.js'
import { Version } from '../../src/ext/Version.js'
import * as Iq from '../../src/Iq.js'
import * as Stanza from '../../src/Stanza.js'
import { dataForm, identity, text } from '../arbitraries/ext.js'
import { jid } from '../helpers.js'

const iq = (file: string): Iq.Iq => {
  const xml = readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8')
  const r = Stanza.decode(xml)
  if (E.isLeft(r) || r.right.kind !== 'iq') throw new Error(`${file}: not an iq`)
  return r.right
}

const get = (query: DiscoInfo): Iq.Request =>
  Iq.get(DiscoInfo.encode(query), { id: 'info1', to: jid('juliet@capulet.lit/balcony') })

const empty: DiscoInfo = { identities: [], features: [], extensions: [] }

const bot = { category: 'client', type: 'bot', name: 'stanzakit' } as const

describe('ext/Disco', () => {
  describe('rules', () => {
    it('discoInfoFor: answers XEP-0030 Example 9 with the result of Example 10 (XEP-0030 §3.2)', () => {
      const request = iq('xep-0030/info-get-node.xml')
      const query = DiscoInfo.get(request)
      if (O.isNone(query) || !Iq.isRequest(request))
        throw new Error('fixture: not a disco#info get')
      const answer = discoInfoFor({
        identities: [{ category: 'automation', type: 'command-list' }],
        extensions: [],
      })(request, query.value)
      expect(O.some(answer)).toStrictEqual(DiscoInfo.get(iq('xep-0030/info-result-node.xml')))
    })

    it('discoInfoFor: mirrors the node of the request (XEP-0030 §3.2)', () => {
      const info = discoInfoFor({ identities: [bot], extensions: [] })
      const q = { ...empty, node: 'http://jabber.org/protocol/commands' }
      expect(info(get(q), q).node).toBe('http://jabber.org/protocol/commands')
      expect(info(get({ ...empty, node: '' }), { ...empty, node: '' }).node).toBe('')
    })

    it('discoInfoFor: no node in the answer when the request has none (XEP-0030 §3.1)', () => {
      const answer = discoInfoFor({ identities: [bot], extensions: [] })(get(empty), empty)
      expect('node' in answer).toBe(false)
    })

    it('discoInfoFor: lists the disco#info feature every entity supports (XEP-0030 §3.1)', () => {
      const answer = discoInfoFor({ identities: [bot], extensions: [] })(get(empty), empty)
      expect(answer.features).toStrictEqual([INFO])
    })

    it('discoInfoFor: then the feature of each extension, in order, and the extra features (XEP-0030 §3.1)', () => {
      const answer = discoInfoFor({
        identities: [bot],
        extensions: [Ping, Version, ChatState, ReceiptRequest],
        features: ['urn:example:x'],
      })(get(empty), empty)
      expect(answer.features).toStrictEqual([
        INFO,
        'urn:xmpp:ping',
        'jabber:iq:version',
        'http://jabber.org/protocol/chatstates',
        'urn:xmpp:receipts',
        'urn:example:x',
      ])
    })

    it('discoInfoFor: each feature once (XEP-0030 §3.1; XEP-0115 §5.4 rejects duplicates)', () => {
      const answer = discoInfoFor({
        identities: [bot],
        extensions: [DiscoInfo, ReceiptRequest, ReceiptReceived, Ping],
        features: ['urn:xmpp:ping', INFO, 'urn:example:x', 'urn:example:x'],
      })(get(empty), empty)
      expect(answer.features).toStrictEqual([
        INFO,
        'urn:xmpp:receipts',
        'urn:xmpp:ping',
        'urn:example:x',
      ])
    })

    it('discoInfoFor: extensions whose specification defines no disco feature add none (XEP-0203 2.0, RFC 6121, XEP-0045 §16.3)', () => {
      const answer = discoInfoFor({ identities: [bot], extensions: [Delay, Roster, MucUser] })(
        get(empty),
        empty,
      )
      expect(answer.features).toStrictEqual([INFO])
    })

    it('discoInfoFor: Forwarded gives urn:xmpp:forward:0 (XEP-0297 §4), DataForm jabber:x:data (XEP-0004 §6)', () => {
      const answer = discoInfoFor({ identities: [bot], extensions: [Forwarded, DataForm] })(
        get(empty),
        empty,
      )
      expect(answer.features).toStrictEqual([INFO, 'urn:xmpp:forward:0', 'jabber:x:data'])
    })

    it('discoInfoFor: the identities as given (XEP-0030 §3.1)', () => {
      const identities = [
        { category: 'client', type: 'pc', name: 'Exodus', lang: 'en' },
        { category: 'client', type: 'pc', name: 'Exodus (de)', lang: 'de' },
      ]
      const answer = discoInfoFor({ identities, extensions: [] })(get(empty), empty)
      expect(answer.identities).toStrictEqual(identities)
    })

    it('discoInfoFor: the XEP-0128 forms as extensions, none by default (XEP-0128 §2)', () => {
      const form: DataForm = {
        type: 'result',
        instructions: [],
        fields: [
          {
            var: 'FORM_TYPE',
            type: 'hidden',
            required: false,
            values: ['urn:example:info'],
            options: [],
          },
        ],
        items: [],
      }
      const info = discoInfoFor({ identities: [bot], extensions: [], forms: [form] })
      expect(info(get(empty), empty).extensions).toStrictEqual([form])
      expect(
        discoInfoFor({ identities: [bot], extensions: [] })(get(empty), empty).extensions,
      ).toStrictEqual([])
    })

    it('discoInfoFor: the answer is a DiscoInfo record that round-trips (XEP-0030 §11.1)', () => {
      fc.assert(
        fc.property(
          fc.array(identity, { minLength: 1, maxLength: 3 }),
          fc.array(text, { maxLength: 4 }),
          fc.array(dataForm, { maxLength: 1 }),
          fc.option(text, { nil: undefined }),
          (identities, features, forms, node) => {
            const q = node === undefined ? empty : { ...empty, node }
            const answer = discoInfoFor({ identities, extensions: [Ping], features, forms })(
              get(q),
              q,
            )
            expect(DiscoInfo.decode(DiscoInfo.encode(answer))).toStrictEqual(E.right(answer))
            expect(answer.features[0]).toBe(INFO)
            expect(new Set(answer.features).size).toBe(answer.features.length)
            expect(answer.node).toBe(node)
          },
        ),
        { numRuns: 60 },
      )
    })
  })
})
