import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { ReceiptReceived, ReceiptRequest, receiptFor } from '../../src/ext/Receipts.js'
import * as Message from '../../src/Message.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { message as arbMessage } from '../arbitraries/Stanza.js'
import { jid, some } from '../helpers.js'

const message = (file: string): Message.Message => {
  const xml = readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8')
  const r = Stanza.decode(xml)
  if (E.isLeft(r) || r.right.kind !== 'message') throw new Error(`${file}: not a message`)
  return r.right
}

const SENDER = jid('northumberland@shakespeare.lit/westminster')
const RECIPIENT = jid('kingrichard@royalty.england.lit/throne')

/** A content message asking for a receipt, as XEP-0184 Example 3 (with overrides). */
const asking = (fields: Message.Fields = {}): Message.Message =>
  pipe(
    Message.make({
      from: SENDER,
      to: RECIPIENT,
      id: 'richard2-4.1.247',
      body: "My lord, dispatch; read o'er these articles.",
      ...fields,
    }),
    ReceiptRequest.set({}),
  )

describe('ext/Receipts', () => {
  describe('rules', () => {
    it('receiptFor: answers XEP-0184 Example 3 with the receipt of Example 4 (XEP-0184 §7)', () => {
      const request = message('xep-0184/request.xml')
      const receipt = some(receiptFor(request))
      // Example 4 as the recipient sends it: its server stamps `from`; the id is the receipt's own.
      const example = message('xep-0184/received.xml')
      expect(receipt.to).toBe(example.to)
      expect(receipt.payload).toHaveLength(1)
      expect(
        Xml.equals(receipt.payload[0] as Xml.XmlElement, example.payload[0] as Xml.XmlElement),
      ).toBe(true)
      expect(ReceiptReceived.get(receipt)).toStrictEqual(O.some({ id: 'richard2-4.1.247' }))
      expect(receipt.type).toBe(example.type)
      expect('body' in receipt).toBe(false)
    })

    it('receiptFor: the <received/> echoes the id of the content message (XEP-0184 §7)', () => {
      const receipt = some(receiptFor(asking({ id: 'a&b<c>' })))
      expect(ReceiptReceived.get(receipt)).toStrictEqual(O.some({ id: 'a&b<c>' }))
    })

    it('receiptFor: is addressed back to the sender of the content message (XEP-0184 §7)', () => {
      expect(some(receiptFor(asking())).to).toBe(SENDER)
      expect('from' in some(receiptFor(asking()))).toBe(false)
    })

    it('receiptFor: keeps the type of the content message (XEP-0184 §7 note)', () => {
      for (const type of ['chat', 'headline', 'normal'] as const)
        expect(some(receiptFor(asking({ type }))).type).toBe(type)
      expect('type' in some(receiptFor(asking()))).toBe(false)
    })

    it('receiptFor: the ack message holds only the <received/> element (XEP-0184 §7)', () => {
      const rich = pipe(
        asking({ type: 'chat', subject: 'articles', thread: 't1', parentThread: 't0' }),
        (m) => ({
          ...m,
          payload: [Xml.element('active', 'http://jabber.org/protocol/chatstates'), ...m.payload],
        }),
      )
      const receipt = some(receiptFor(rich))
      expect(receipt.payload).toHaveLength(1)
      expect(ReceiptReceived.has(receipt)).toBe(true)
      for (const key of ['body', 'subject', 'thread', 'parentThread', 'id', 'error'])
        expect(key in receipt).toBe(false)
      // Encoded, the stanza has exactly one child.
      const encoded = Xml.parse(Stanza.encode(receipt))
      expect(E.isRight(encoded) && encoded.right.children).toHaveLength(1)
    })

    it('receiptFor: an ack message never asks for a receipt itself (XEP-0184 §5.4)', () => {
      expect(ReceiptRequest.has(some(receiptFor(asking())))).toBe(false)
    })

    it('receiptFor: none for a message that asks for no receipt (XEP-0184 §7)', () => {
      expect(receiptFor(ReceiptRequest.remove(asking()))).toStrictEqual(O.none)
      expect(receiptFor(message('xep-0184/received.xml'))).toStrictEqual(O.none)
    })

    it('receiptFor: none for a message without an id to echo (XEP-0184 §7)', () => {
      const { id: _id, ...noId } = asking()
      expect(receiptFor(noId)).toStrictEqual(O.none)
    })

    it('receiptFor: none for a groupchat message (XEP-0184 §5.3)', () => {
      expect(receiptFor(asking({ type: 'groupchat' }))).toStrictEqual(O.none)
    })

    it('receiptFor: none for an error message (XEP-0184 §5.1–5.2; RFC 6120 §8.3.1)', () => {
      expect(receiptFor(asking({ type: 'error' }))).toStrictEqual(O.none)
    })

    it('receiptFor: none for an ack message that (wrongly) asks for a receipt (XEP-0184 §5.4)', () => {
      expect(receiptFor(pipe(asking(), ReceiptReceived.add({ id: 'earlier' })))).toStrictEqual(
        O.none,
      )
    })

    it('receiptFor: any content message asking for one gets exactly one receipt (XEP-0184 §7)', () => {
      fc.assert(
        fc.property(arbMessage, (m0) => {
          const m = ReceiptReceived.remove(ReceiptRequest.add({})(m0))
          const r = receiptFor(m)
          if (m.id === undefined || m.type === 'groupchat' || m.type === 'error')
            return expect(r).toStrictEqual(O.none)
          const receipt = some(r)
          expect(receipt.payload).toHaveLength(1)
          expect(ReceiptReceived.getAll(receipt)).toStrictEqual([{ id: m.id }])
          expect(receipt.type).toBe(m.type)
          expect(receipt.to).toBe(m.from)
          expect(receiptFor(receipt)).toStrictEqual(O.none)
        }),
        { numRuns: 100 },
      )
    })
  })
})
