/**
 * The Extension kit (docs/extensions.md "The kit", "Precise rules"): scalars, field builders, element
 * definitions, the getters and setters over a stanza's payload, lossless `$rest`, paths, the
 * io-ts codec, `DateTime`, and never-throws on hostile trees.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { identity, pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import * as DecodeError from '../src/DecodeError.js'
import * as X from '../src/Extension.js'
import * as ext from '../src/ext/index.js'
import * as Iq from '../src/Iq.js'
import * as Message from '../src/Message.js'
import * as Presence from '../src/Presence.js'
import * as Xml from '../src/Xml.js'
import { element as arbElement, text as arbText } from './arbitraries/Xml.js'
import { deepFreeze, jid } from './helpers.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const runs = { numRuns: 150 }
const NS = 'urn:example:test'

/** A payload element from XML (no default namespace in scope). */
const xml = (s: string): Xml.XmlElement => {
  const r = Xml.parse(s, { ns: null })
  if (E.isLeft(r)) throw new Error(`test setup: ${r.left.message}`)
  return r.right
}

const str = (el: Xml.XmlElement): string => Xml.serialize(el)

const ok = <A>(r: E.Either<DecodeError.DecodeError, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected Right, got ${DecodeError.format(r.left)}`)
  return r.right
}

/** Every problem as its formatted line `path: condition: message`. */
const lines = (r: E.Either<DecodeError.DecodeError, unknown>): ReadonlyArray<string> => {
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`)
  return DecodeError.format(r.left).split('\n')
}

/** Every problem as `path: condition` (the message is free text). */
const heads = (r: E.Either<DecodeError.DecodeError, unknown>): ReadonlyArray<string> =>
  lines(r).map((line) => line.split(': ', 2).join(': '))

const dt = (s: string): X.DateTime => {
  const r = X.DateTime.parse(s)
  if (E.isLeft(r)) throw new Error(`test setup: ${s} is not a DateTime`)
  return r.right
}

const msg = (...payload: ReadonlyArray<Xml.XmlElement>): Message.Message =>
  Message.make({ payload })

const STAMP = '2002-09-10T23:08:25Z'
const delayXml = (attrs = `stamp='${STAMP}'`, body = ''): Xml.XmlElement =>
  xml(`<delay xmlns='urn:xmpp:delay' ${attrs}>${body}</delay>`)
const otherDelay = xml(`<delay xmlns='urn:other' stamp='bad'/>`)
const body = xml(`<x xmlns='urn:unrelated'><y/></x>`)

const parsed = <A>(v: X.Value<A>, s: string): E.Either<string, A> => v.parse(s)

// -------------------------------------------------------------------------------------

describe('Extension', () => {
  // -----------------------------------------------------------------------------------
  describe('scalars', () => {
    it('string: keeps any string exactly, white space and empty included', () => {
      for (const s of ['', ' ', ' a b\n', '<&>', '😀'])
        expect(parsed(X.string, s)).toStrictEqual(E.right(s))
      expect(X.string.format(' x ')).toBe(' x ')
      expect(X.string.is('x')).toBe(true)
      expect(X.string.is(1)).toBe(false)
    })

    it('int: +007 is 7, written canonically as 7', () => {
      expect(parsed(X.int, '+007')).toStrictEqual(E.right(7))
      expect(parsed(X.int, '-012')).toStrictEqual(E.right(-12))
      expect(X.int.format(7)).toBe('7')
      const Hist = X.element('h', NS, { n: X.attr('n', X.int) })
      const r = ok(Hist.decode(xml(`<h xmlns='${NS}' n='+007'/>`)))
      expect(r).toStrictEqual({ n: 7 })
      expect(Hist.encode(r).attrs.n).toBe('7')
    })

    it('int: -0 is 0, not negative zero', () => {
      const r = parsed(X.int, '-0')
      expect(E.isRight(r) && Object.is(r.right, 0)).toBe(true)
    })

    it('int: surrounding XML white space is allowed (xs:whiteSpace collapse), inner is not', () => {
      expect(parsed(X.int, ' 12\n')).toStrictEqual(E.right(12))
      expect(parsed(X.int, '\t-3 ')).toStrictEqual(E.right(-3))
      expect(E.isLeft(parsed(X.int, '1 2'))).toBe(true)
      expect(E.isLeft(parsed(X.int, '\u00a012'))).toBe(true)
    })

    it('int: junk is rejected with the value quoted', () => {
      for (const s of [
        '',
        ' ',
        '+',
        '-',
        '--1',
        '1.0',
        '1e3',
        '0x10',
        'NaN',
        'Infinity',
        '１２',
        '½',
      ])
        expect(parsed(X.int, s)).toStrictEqual(
          E.left(`expected an integer, got ${JSON.stringify(s)}`),
        )
    })

    it('int: out of the safe-integer range is rejected, its edges accepted', () => {
      expect(parsed(X.int, '9007199254740991')).toStrictEqual(E.right(Number.MAX_SAFE_INTEGER))
      expect(parsed(X.int, '-9007199254740991')).toStrictEqual(E.right(Number.MIN_SAFE_INTEGER))
      expect(parsed(X.int, '0009007199254740991')).toStrictEqual(E.right(Number.MAX_SAFE_INTEGER))
      expect(E.isLeft(parsed(X.int, '9007199254740992'))).toBe(true)
      expect(E.isLeft(parsed(X.int, '-9007199254740992'))).toBe(true)
      expect(E.isLeft(parsed(X.int, '1'.repeat(400)))).toBe(true)
    })

    it('int: is accepts safe integers only', () => {
      expect(X.int.is(0)).toBe(true)
      expect(X.int.is(-5)).toBe(true)
      for (const u of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', null])
        expect(X.int.is(u)).toBe(false)
    })

    it('int: every value `is` accepts comes back from its canonical form', () => {
      fc.assert(
        fc.property(fc.maxSafeInteger(), (n) => {
          const back = parsed(X.int, X.int.format(n))
          expect(back).toStrictEqual(E.right(n === 0 ? 0 : n))
        }),
        runs,
      )
    })

    it('boolean: true/1 and false/0, written as true/false', () => {
      expect(parsed(X.boolean, 'true')).toStrictEqual(E.right(true))
      expect(parsed(X.boolean, '1')).toStrictEqual(E.right(true))
      expect(parsed(X.boolean, 'false')).toStrictEqual(E.right(false))
      expect(parsed(X.boolean, '0')).toStrictEqual(E.right(false))
      expect(parsed(X.boolean, ' 1 ')).toStrictEqual(E.right(true))
      expect(X.boolean.format(true)).toBe('true')
      expect(X.boolean.format(false)).toBe('false')
    })

    it('boolean: anything else is rejected (xs:boolean is case-sensitive)', () => {
      for (const s of ['', 'TRUE', 'True', 'yes', 'no', '2', '01', 't'])
        expect(E.isLeft(parsed(X.boolean, s))).toBe(true)
      expect(X.boolean.is(1)).toBe(false)
    })

    it("boolean: approved='1' comes back as approved='true'", () => {
      const iq = Iq.make({
        type: 'result',
        payload: [
          xml(`<query xmlns='jabber:iq:roster'><item jid='a@example.com' approved='1'/></query>`),
        ],
      })
      const roster = pipe(ext.Roster.get(iq), O.toUndefined)
      expect(roster?.items[0]?.approved).toBe(true)
      const back = ext.Roster.modify(identity)(iq)
      expect(str(back.payload[0] as Xml.XmlElement)).toBe(
        `<query xmlns='jabber:iq:roster'><item jid='a@example.com' approved='true'/></query>`,
      )
    })

    it('jid: stored canonical (RFC 7622)', () => {
      expect(parsed(X.jid, 'Juliet@Example.COM/Balcony')).toStrictEqual(
        E.right(jid('juliet@example.com/Balcony')),
      )
      expect(X.jid.format(jid('a@b.example'))).toBe('a@b.example')
      expect(X.jid.is('juliet@example.com')).toBe(true)
      expect(X.jid.is('Juliet@example.com')).toBe(false)
    })

    it('jid: an invalid one fails with jid-malformed, naming the part', () => {
      expect(X.jid.condition).toBe('jid-malformed')
      expect(parsed(X.jid, '@example.com')).toStrictEqual(E.left('local: empty localpart'))
      const Item = X.element('item', NS, { jid: X.attr('jid', X.jid) })
      expect(heads(Item.decode(xml(`<item xmlns='${NS}' jid='a@'/>`)))).toStrictEqual([
        'item@jid: jid-malformed',
      ])
    })

    it('dateTime: XEP-0082 DateTimes are kept exactly as received', () => {
      for (const s of [
        '2002-09-10T23:08:25Z',
        '2002-09-10T23:08:25-08:00',
        '2002-09-10T23:08:25+14:00',
        '2002-09-10T23:08:25-00:00',
        '2002-09-10T23:08:25.1Z',
        '2002-09-10T23:08:25.123Z',
        '2002-09-10T23:08:25.123456789012Z',
        '1969-07-21T02:56:15.0+00:00',
        '2000-02-29T00:00:00Z',
        '2024-02-29T12:00:00Z',
        '1999-12-31T23:59:59Z',
        '0001-01-01T00:00:00Z',
      ])
        expect(parsed(X.dateTime, s)).toStrictEqual(E.right(s))
    })

    it('dateTime: the time zone is required, as Z or ±hh:mm', () => {
      for (const s of [
        '2002-09-10T23:08:25',
        '2002-09-10T23:08:25.123',
        '2002-09-10T23:08:25+0800',
        '2002-09-10T23:08:25+08',
        '2002-09-10T23:08:25 Z',
        '2002-09-10T23:08:25UTC',
      ])
        expect(E.isLeft(parsed(X.dateTime, s))).toBe(true)
    })

    it('dateTime: lowercase t and z are rejected', () => {
      expect(E.isLeft(parsed(X.dateTime, '2002-09-10t23:08:25Z'))).toBe(true)
      expect(E.isLeft(parsed(X.dateTime, '2002-09-10T23:08:25z'))).toBe(true)
    })

    it('dateTime: other shapes are rejected (dates only, short years, empty fractions, spaces)', () => {
      for (const s of [
        '',
        '2002-09-10',
        '23:08:25Z',
        '02-09-10T23:08:25Z',
        '20020-09-10T23:08:25Z',
        '2002-9-10T23:08:25Z',
        '2002-09-10 23:08:25Z',
        '2002-09-10T23:08Z',
        '2002-09-10T23:08:25.Z',
        ' 2002-09-10T23:08:25Z',
        '2002-09-10T23:08:25Z ',
        '２００２-09-10T23:08:25Z',
      ])
        expect(E.isLeft(parsed(X.dateTime, s))).toBe(true)
    })

    it('dateTime: month, day, leap year, hour, minute, second and zone ranges', () => {
      const bad: ReadonlyArray<readonly [string, string]> = [
        ['2002-00-10T00:00:00Z', 'month'],
        ['2002-13-10T00:00:00Z', 'month'],
        ['2002-09-00T00:00:00Z', 'day'],
        ['2002-09-31T00:00:00Z', 'day'],
        ['2002-01-32T00:00:00Z', 'day'],
        ['2002-04-31T00:00:00Z', 'day'],
        ['2001-02-29T00:00:00Z', 'day'],
        ['1900-02-29T00:00:00Z', 'day'],
        ['2002-09-10T24:00:00Z', 'time'],
        ['2002-09-10T23:60:00Z', 'time'],
        ['2002-09-10T23:59:60Z', 'time'],
        ['2002-09-10T23:59:59+24:00', 'time zone'],
        ['2002-09-10T23:59:59-08:60', 'time zone'],
      ]
      for (const [s, what] of bad)
        expect(parsed(X.dateTime, s)).toStrictEqual(E.left(`${what} out of range`))
      expect(E.isRight(parsed(X.dateTime, '2002-01-31T00:00:00Z'))).toBe(true)
      expect(E.isRight(parsed(X.dateTime, '2000-02-29T00:00:00Z'))).toBe(true)
      expect(E.isRight(parsed(X.dateTime, '2002-09-10T23:59:59+23:59'))).toBe(true)
    })

    it('literal: only the listed strings, case-sensitive', () => {
      const FormType = X.literal('form', 'submit', 'cancel', 'result')
      expect(parsed(FormType, 'submit')).toStrictEqual(E.right('submit'))
      expect(parsed(FormType, 'Submit')).toStrictEqual(
        E.left('expected one of "form", "submit", "cancel", "result", got "Submit"'),
      )
      expect(E.isLeft(parsed(FormType, ''))).toBe(true)
      expect(E.isLeft(parsed(FormType, ' form'))).toBe(true)
      expect(FormType.is('cancel')).toBe(true)
      expect(FormType.is('other')).toBe(false)
      expect(FormType.condition).toBe('bad-request')
    })

    it('literal: inherited Object.prototype names are not values', () => {
      const L = X.literal('a')
      for (const s of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
        expect(E.isLeft(parsed(L, s))).toBe(true)
    })

    it('open: the known values and any other string, as received', () => {
      const Affiliation = X.open('owner', 'admin', 'member', 'outcast', 'none')
      expect(parsed(Affiliation, 'owner')).toStrictEqual(E.right('owner'))
      expect(parsed(Affiliation, 'custom-affiliation')).toStrictEqual(E.right('custom-affiliation'))
      expect(parsed(Affiliation, '')).toStrictEqual(E.right(''))
      expect(Affiliation.is('anything')).toBe(true)
      expect(Affiliation.is(1)).toBe(false)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('DateTime', () => {
    it('parse: validates and keeps the string as given (no normalisation)', () => {
      const s = '2002-09-10T23:08:25.1234567-08:00'
      expect(X.DateTime.parse(s)).toStrictEqual(E.right(s))
      expect(E.isLeft(X.DateTime.parse('2002-09-10'))).toBe(true)
    })

    it('is: strings that are XEP-0082 DateTimes', () => {
      expect(X.DateTime.is(STAMP)).toBe(true)
      for (const u of ['2002-09-10T23:08:25', 0, null, new Date(0), undefined])
        expect(X.DateTime.is(u)).toBe(false)
    })

    it('toDate: the instant, offsets applied', () => {
      expect(X.DateTime.toDate(dt('2002-09-10T23:08:25-08:00')).toISOString()).toBe(
        '2002-09-11T07:08:25.000Z',
      )
      expect(X.DateTime.toDate(dt('2002-09-10T23:08:25+05:30')).getTime()).toBe(
        Date.UTC(2002, 8, 10, 17, 38, 25),
      )
    })

    it('toDate: one fraction digit is tenths; beyond milliseconds is cut', () => {
      expect(X.DateTime.toDate(dt('2002-09-10T23:08:25.1Z')).getUTCMilliseconds()).toBe(100)
      expect(X.DateTime.toDate(dt('2002-09-10T23:08:25.12Z')).getUTCMilliseconds()).toBe(120)
      expect(X.DateTime.toDate(dt('2002-09-10T23:08:25.1239999Z')).getUTCMilliseconds()).toBe(123)
    })

    it('toDate: a fresh Date each time (records hold no mutable Date)', () => {
      const d = dt(STAMP)
      const a = X.DateTime.toDate(d)
      a.setUTCFullYear(1999)
      expect(X.DateTime.toDate(d).getUTCFullYear()).toBe(2002)
      expect(d).toBe(STAMP)
    })

    it('fromDate: UTC with milliseconds', () => {
      expect(X.DateTime.fromDate(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
      expect(X.DateTime.fromDate(new Date(Date.UTC(2002, 8, 10, 23, 8, 25, 7)))).toBe(
        '2002-09-10T23:08:25.007Z',
      )
    })

    it('fromDate: an invalid Date or a year outside 0000–9999 is a programmer error', () => {
      expect(() => X.DateTime.fromDate(new Date(Number.NaN))).toThrow(RangeError)
      expect(() => X.DateTime.fromDate(new Date(Date.UTC(10000, 0, 1)))).toThrow(RangeError)
      expect(() => X.DateTime.fromDate(new Date(Date.UTC(-1, 0, 1)))).toThrow(RangeError)
    })

    it('fromDate/toDate: inverse for every instant in range', () => {
      fc.assert(
        fc.property(
          fc.date({
            min: new Date('0000-01-01T00:00:00.000Z'),
            max: new Date('9999-12-31T23:59:59.999Z'),
            noInvalidDate: true,
          }),
          (d) => {
            const s = X.DateTime.fromDate(d)
            expect(X.DateTime.is(s)).toBe(true)
            expect(X.DateTime.toDate(s).getTime()).toBe(d.getTime())
          },
        ),
        runs,
      )
    })
  })

  // -----------------------------------------------------------------------------------
  describe('fields', () => {
    const Attrs = X.element('a', NS, {
      id: X.attr('id'),
      n: X.optional(X.attr('n', X.int)),
      lang: X.optional(X.attr('xml:lang')),
    })

    it('attr: a required attribute, as received', () => {
      expect(ok(Attrs.decode(xml(`<a xmlns='${NS}' id=' x '/>`)))).toStrictEqual({ id: ' x ' })
      expect(ok(Attrs.decode(xml(`<a xmlns='${NS}' id=''/>`)))).toStrictEqual({ id: '' })
    })

    it('attr: a missing required attribute is bad-request at its path', () => {
      expect(lines(Attrs.decode(xml(`<a xmlns='${NS}'/>`)))).toStrictEqual([
        'a@id: bad-request: missing attribute',
      ])
    })

    it('optional: an absent attribute is a missing key, never undefined', () => {
      const r = ok(Attrs.decode(xml(`<a xmlns='${NS}' id='1'/>`)))
      expect(Object.keys(r)).toStrictEqual(['id'])
      expect('n' in r).toBe(false)
    })

    it('attr: the value codec applies, with the attribute path', () => {
      expect(ok(Attrs.decode(xml(`<a xmlns='${NS}' id='1' n=' 42 '/>`)))).toStrictEqual({
        id: '1',
        n: 42,
      })
      expect(heads(Attrs.decode(xml(`<a xmlns='${NS}' id='1' n='many'/>`)))).toStrictEqual([
        'a@n: bad-request',
      ])
    })

    it('attr: xml:lang is an attribute like any other when modelled', () => {
      const el = xml(`<a xmlns='${NS}' id='1' xml:lang='de'/>`)
      const r = ok(Attrs.decode(el))
      expect(r).toStrictEqual({ id: '1', lang: 'de' })
      expect(Xml.equals(Attrs.encode(r), el)).toBe(true)
    })

    it('attr: every problem is reported, in field order', () => {
      const Two = X.element('two', NS, { a: X.attr('a', X.int), b: X.attr('b', X.jid) })
      expect(heads(Two.decode(xml(`<two xmlns='${NS}' a='x' b='@'/>`)))).toStrictEqual([
        'two@a: bad-request',
        'two@b: jid-malformed',
      ])
    })

    const Text = X.element('t', NS, { text: X.text(), n: X.optional(X.attr('n')) })

    it('text: kept as received, never trimmed', () => {
      const r = ok(Text.decode(xml(`<t xmlns='${NS}'>  Offline\n Storage </t>`)))
      expect(r).toStrictEqual({ text: '  Offline\n Storage ' })
      expect(str(Text.encode(r))).toBe(`<t xmlns='${NS}'>  Offline\n Storage </t>`)
    })

    it('text: only white space (or none) counts as absent', () => {
      expect(ok(Text.decode(xml(`<t xmlns='${NS}'> \n\t </t>`)))).toStrictEqual({})
      expect(ok(Text.decode(xml(`<t xmlns='${NS}'/>`)))).toStrictEqual({})
      expect('text' in ok(Text.decode(xml(`<t xmlns='${NS}'>  </t>`)))).toBe(false)
    })

    it('text: a non-XML-space character such as U+00A0 is text', () => {
      expect(ok(Text.decode(xml(`<t xmlns='${NS}'>\u00a0</t>`)))).toStrictEqual({ text: '\u00a0' })
    })

    it('text: with a value codec, and required(text()) makes it required', () => {
      const N = X.element('t', NS, { v: X.required(X.text(X.int)) })
      expect(ok(N.decode(xml(`<t xmlns='${NS}'> 5 </t>`)))).toStrictEqual({ v: 5 })
      expect(lines(N.decode(xml(`<t xmlns='${NS}'> </t>`)))).toStrictEqual([
        't: bad-request: missing text',
      ])
      expect(heads(N.decode(xml(`<t xmlns='${NS}'>five</t>`)))).toStrictEqual(['t: bad-request'])
      expect(str(N.encode({ v: 5 }))).toBe(`<t xmlns='${NS}'>5</t>`)
    })

    it('text: a record whose text is only white space is not a valid record', () => {
      // decode(encode(a)) = a must hold for every `a` the codec's `is` accepts.
      const D = X.fromElement(Text, { on: ['message'] })
      expect(D.codec.is({ text: 'x' })).toBe(true)
      expect(D.codec.is({})).toBe(true)
      expect(D.codec.is({ text: ' \n' })).toBe(false)
      expect(D.codec.is({ text: '' })).toBe(false)
    })

    const Kids = X.element('k', NS, {
      title: X.childText('title'),
      count: X.childText('count', X.int),
      values: X.childTexts('value'),
      codes: X.childTexts('code', X.int),
      required: X.flag('required'),
    })

    it('childText: the child element’s text, untrimmed; an empty element gives ""', () => {
      expect(
        ok(Kids.decode(xml(`<k xmlns='${NS}'><title> Hi </title><count>3</count></k>`))),
      ).toStrictEqual({ title: ' Hi ', count: 3, values: [], codes: [], required: false })
      expect(ok(Kids.decode(xml(`<k xmlns='${NS}'><title/></k>`))).title).toBe('')
      expect(ok(Kids.decode(xml(`<k xmlns='${NS}'><title>  </title></k>`))).title).toBe('  ')
    })

    it('childText: an absent child is a missing key', () => {
      const r = ok(Kids.decode(xml(`<k xmlns='${NS}'/>`)))
      expect(r).toStrictEqual({ values: [], codes: [], required: false })
      expect('title' in r).toBe(false)
      expect('count' in r).toBe(false)
    })

    it('childText: "" is written as an empty element, and reads back as ""', () => {
      const el = Kids.encode({ title: '', values: [], codes: [], required: false })
      expect(str(el)).toBe(`<k xmlns='${NS}'><title/></k>`)
      expect(ok(Kids.decode(el)).title).toBe('')
    })

    it('childText: only children in the parent’s namespace; others stay in $rest', () => {
      const el = xml(`<k xmlns='${NS}'><title xmlns='urn:other'>no</title><title>yes</title></k>`)
      const r = ok(Kids.decode(el))
      expect(r.title).toBe('yes')
      expect(r.$rest?.children?.length).toBe(1)
      expect(Xml.equals(Kids.encode(r), el)).toBe(true)
    })

    it('childText: the first of several is the value; the others are kept in place', () => {
      const el = xml(`<k xmlns='${NS}'><title>one</title><title>two</title></k>`)
      const r = ok(Kids.decode(el))
      expect(r.title).toBe('one')
      expect(str(Kids.encode(r))).toBe(str(el))
    })

    it('childText: a value problem names the child', () => {
      expect(lines(Kids.decode(xml(`<k xmlns='${NS}'><count>x</count></k>`)))).toStrictEqual([
        'k/count: bad-request: expected an integer, got "x"',
      ])
    })

    it('required: a required childText that is missing is bad-request', () => {
      expect(
        lines(ext.Oob.decode(xml(`<x xmlns='jabber:x:oob'><desc>d</desc></x>`))),
      ).toStrictEqual(['x/url: bad-request: missing element'])
      expect(ok(ext.Oob.decode(xml(`<x xmlns='jabber:x:oob'><url/></x>`)))).toStrictEqual({
        url: '',
      })
    })

    it('childTexts: every such child’s text, in order; [] when none', () => {
      const r = ok(
        Kids.decode(
          xml(`<k xmlns='${NS}'><value>b</value><value/><x/><value> a </value><code>1</code></k>`),
        ),
      )
      expect(r.values).toStrictEqual(['b', '', ' a '])
      expect(r.codes).toStrictEqual([1])
      expect(ok(Kids.decode(xml(`<k xmlns='${NS}'/>`))).values).toStrictEqual([])
    })

    it('childTexts: a bad value names the element by its position among its namesakes', () => {
      expect(
        heads(Kids.decode(xml(`<k xmlns='${NS}'><code>1</code><code>2.5</code></k>`))),
      ).toStrictEqual(['k/code[2]: bad-request'])
    })

    it('childTexts: written as one element each, in order', () => {
      const el = Kids.encode({ values: ['x', '', 'y'], codes: [7], required: false })
      expect(str(el)).toBe(
        `<k xmlns='${NS}'><value>x</value><value/><value>y</value><code>7</code></k>`,
      )
    })

    it('flag: true when the child is present, false when absent; written as <name/>', () => {
      expect(ok(Kids.decode(xml(`<k xmlns='${NS}'><required/></k>`))).required).toBe(true)
      expect(ok(Kids.decode(xml(`<k xmlns='${NS}'/>`))).required).toBe(false)
      expect(
        ok(Kids.decode(xml(`<k xmlns='${NS}'><required xmlns='urn:other'/></k>`))).required,
      ).toBe(false)
      expect(str(Kids.encode({ values: [], codes: [], required: true }))).toBe(
        `<k xmlns='${NS}'><required/></k>`,
      )
      expect(str(Kids.encode({ values: [], codes: [], required: false }))).toBe(
        `<k xmlns='${NS}'/>`,
      )
    })

    const Item = X.element('item', NS, {
      jid: X.attr('jid', X.jid),
      name: X.optional(X.attr('name')),
    })
    const Box = X.element('box', NS, {
      owner: X.child(X.element('owner', NS, { jid: X.attr('jid', X.jid) })),
      items: X.many(Item),
    })

    it('child: the first matching child, decoded; absent is a missing key', () => {
      const r = ok(Box.decode(xml(`<box xmlns='${NS}'><owner jid='A@B'/><owner jid='c@d'/></box>`)))
      expect(r.owner).toStrictEqual({ jid: 'a@b' })
      expect(r.$rest?.children).toHaveLength(1)
      const none = ok(Box.decode(xml(`<box xmlns='${NS}'/>`)))
      expect(none).toStrictEqual({ items: [] })
    })

    it('child: a problem inside the child has the child’s path', () => {
      expect(heads(Box.decode(xml(`<box xmlns='${NS}'><owner/></box>`)))).toStrictEqual([
        'box/owner@jid: bad-request',
      ])
    })

    it('required: a required child that is missing is bad-request', () => {
      const R = X.element('r', NS, { owner: X.required(X.child(Item)) })
      expect(lines(R.decode(xml(`<r xmlns='${NS}'/>`)))).toStrictEqual([
        'r/item: bad-request: missing element',
      ])
    })

    it('optional: on a field that is already optional it changes nothing', () => {
      const Plain = X.element('p', NS, { t: X.text(), c: X.childText('c'), o: X.child(Item) })
      const Opt = X.element('p', NS, {
        t: X.optional(X.text()),
        c: X.optional(X.childText('c')),
        o: X.optional(X.child(Item)),
      })
      for (const s of [
        `<p xmlns='${NS}'/>`,
        `<p xmlns='${NS}'>t<c>c</c><item jid='a@b'/></p>`,
        `<p xmlns='${NS}'><item/></p>`,
      ]) {
        const el = xml(s)
        expect(Opt.decode(el)).toStrictEqual(Plain.decode(el))
      }
    })

    it('many: every matching child, in order; [] when none', () => {
      const r = ok(
        Box.decode(
          xml(`<box xmlns='${NS}'><item jid='a@b'/><other/><item jid='c@d' name='C'/></box>`),
        ),
      )
      expect(r.items).toStrictEqual([{ jid: 'a@b' }, { jid: 'c@d', name: 'C' }])
    })

    it('many: one invalid element fails the whole, with its position', () => {
      expect(
        lines(
          Box.decode(
            xml(`<box xmlns='${NS}'><item jid='a@b'/><item xmlns='urn:o'/><item jid='@x'/></box>`),
          ),
        ),
      ).toStrictEqual(['box/item[3]@jid: jid-malformed: local: empty localpart'])
    })

    it('many: namesakes in another namespace are not items and are kept', () => {
      const el = xml(`<box xmlns='${NS}'><item xmlns='urn:o' jid='@'/><item jid='a@b'/></box>`)
      const r = ok(Box.decode(el))
      expect(r.items).toStrictEqual([{ jid: 'a@b' }])
      expect(Xml.equals(Box.encode(r), el)).toBe(true)
    })

    const Codes = X.element('x', NS, { codes: X.values('status', 'code', X.int) })

    it('values: one attribute of every such child, in order', () => {
      expect(
        ok(Codes.decode(xml(`<x xmlns='${NS}'><status code='110'/><status code='+100'/></x>`))),
      ).toStrictEqual({ codes: [110, 100] })
      expect(ok(Codes.decode(xml(`<x xmlns='${NS}'/>`)))).toStrictEqual({ codes: [] })
      expect(str(Codes.encode({ codes: [110, 100] }))).toBe(
        `<x xmlns='${NS}'><status code='110'/><status code='100'/></x>`,
      )
    })

    it('values: a child without the attribute, or with a bad one, is bad-request at its path', () => {
      expect(
        lines(Codes.decode(xml(`<x xmlns='${NS}'><status code='1'/><status/></x>`))),
      ).toStrictEqual(['x/status[2]@code: bad-request: missing attribute'])
      expect(
        heads(Codes.decode(xml(`<x xmlns='${NS}'><status code='1'/><status code='one'/></x>`))),
      ).toStrictEqual(['x/status[2]@code: bad-request'])
    })

    it('embed: a whole stanza inside an element (XEP-0297)', () => {
      const el = xml(
        `<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' to='Romeo@Example.net'><body>hi</body></message></forwarded>`,
      )
      const r = ok(ext.Forwarded.decode(el))
      expect(r.stanza).toStrictEqual(
        Message.make({ type: 'chat', to: jid('romeo@example.net'), body: 'hi' }),
      )
      expect(str(ext.Forwarded.encode(r))).toBe(
        `<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' to='romeo@example.net' type='chat'><body>hi</body></message></forwarded>`,
      )
    })

    it('embed: a missing embedded element is bad-request at the element', () => {
      expect(
        lines(ext.Forwarded.decode(xml(`<forwarded xmlns='urn:xmpp:forward:0'/>`))),
      ).toStrictEqual(['forwarded: bad-request: missing element (Stanza)'])
      // `accepts` restricts what it takes: an element in another namespace is not a stanza.
      expect(
        heads(
          ext.Forwarded.decode(
            xml(`<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='urn:o'/></forwarded>`),
          ),
        ),
      ).toStrictEqual(['forwarded: bad-request'])
    })

    it('embed: problems of the embedded stanza keep their paths below the element', () => {
      const el = xml(
        `<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' to='@bad'/></forwarded>`,
      )
      expect(heads(ext.Forwarded.decode(el))).toStrictEqual(['forwarded/message@to: jid-malformed'])
      expect(heads(ext.Forwarded.getEither(msg(el)))).toStrictEqual([
        'message/forwarded/message@to: jid-malformed',
      ])
    })

    it('embed: the embedded element’s position among its namesakes is in the path', () => {
      const el = xml(
        `<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='urn:o'/><message xmlns='jabber:client' to='@bad'><body>x</body></message></forwarded>`,
      )
      expect(heads(ext.Forwarded.decode(el))).toStrictEqual([
        'forwarded/message[2]@to: jid-malformed',
      ])
    })

    it('embed: the delay child is taken first, and the embedded stanza keeps its place', () => {
      const el = xml(
        `<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='${STAMP}'/><iq xmlns='jabber:client' type='result' id='1'/></forwarded>`,
      )
      const r = ok(ext.Forwarded.decode(el))
      expect(r.delay).toStrictEqual({ stamp: STAMP })
      expect(r.stanza.kind).toBe('iq')
      expect(Xml.equals(ext.Forwarded.encode(r), el)).toBe(true)
    })

    it('embed: optional(embed) gives a missing key when absent', () => {
      const W = X.element('w', NS, { s: X.optional(X.embed(ext.Delay.codec)) })
      expect(ok(W.decode(xml(`<w xmlns='${NS}'/>`)))).toStrictEqual({})
      expect(
        ok(W.decode(xml(`<w xmlns='${NS}'><delay xmlns='urn:xmpp:delay' stamp='${STAMP}'/></w>`))),
      ).toStrictEqual({ s: { stamp: STAMP } })
    })

    it('embed: any io-ts codec; its failure is bad-request at the child', () => {
      const Name = new t.Type<string, Xml.XmlElement, unknown>(
        'Name',
        (u): u is string => typeof u === 'string',
        (u, c) =>
          typeof u === 'object' && u !== null && (u as Xml.XmlElement).name === 'p'
            ? t.success('p')
            : t.failure(u, c, 'not a p'),
        (s) => Xml.element(s, NS),
      )
      const W = X.element('w', NS, { n: X.embed(Name) })
      expect(ok(W.decode(xml(`<w xmlns='${NS}'><p/></w>`)))).toStrictEqual({ n: 'p' })
      expect(lines(W.decode(xml(`<w xmlns='${NS}'><x/><q/></w>`)))).toStrictEqual([
        'w/x: bad-request: not a p',
      ])
    })

    interface Tree {
      readonly label: string
      readonly children: ReadonlyArray<Tree>
      readonly $rest?: X.Rest
    }
    const Node: X.ElementDef<Tree> = X.lazy(() =>
      X.element('node', NS, { label: X.attr('label'), children: X.many(Node) }),
    )

    it('lazy: a recursive definition decodes and encodes', () => {
      const el = xml(
        `<node xmlns='${NS}' label='a'><node label='b'/><node label='c'><node label='d'/></node></node>`,
      )
      const r = ok(Node.decode(el))
      expect(r).toStrictEqual({
        label: 'a',
        children: [
          { label: 'b', children: [] },
          { label: 'c', children: [{ label: 'd', children: [] }] },
        ],
      })
      expect(Xml.equals(Node.encode(r), el)).toBe(true)
      expect(Node.name).toBe('node')
      expect(Node.ns).toBe(NS)
      expect(Node.is(el)).toBe(true)
      expect(Node.isValue(r)).toBe(true)
      expect(Node.isValue({ label: 'a', children: [{ label: 1, children: [] }] })).toBe(false)
    })

    it('lazy: paths continue through the recursion', () => {
      const el = xml(`<node xmlns='${NS}' label='a'><node label='b'/><node><node/></node></node>`)
      expect(lines(Node.decode(el))).toStrictEqual([
        'node/node[2]@label: bad-request: missing attribute',
        'node/node[2]/node@label: bad-request: missing attribute',
      ])
    })

    it('lazy: the thunk runs once, on first use', () => {
      let calls = 0
      const L = X.lazy(() => {
        calls++
        return X.element('l', NS, {})
      })
      expect(calls).toBe(0)
      L.decode(xml(`<l xmlns='${NS}'/>`))
      L.encode({})
      expect(calls).toBe(1)
    })

    it('imap: decodes through f, encodes through g, is from isB', () => {
      const Count = pipe(
        X.element('count', NS, { n: X.attr('n', X.int) }),
        X.imap(
          (r) => r.n,
          (n: number) => ({ n }),
          (u): u is number => typeof u === 'number',
        ),
      )
      expect(ok(Count.decode(xml(`<count xmlns='${NS}' n='3'/>`)))).toBe(3)
      expect(str(Count.encode(4))).toBe(`<count xmlns='${NS}' n='4'/>`)
      expect(heads(Count.decode(xml(`<count xmlns='${NS}' n='x'/>`)))).toStrictEqual([
        'count@n: bad-request',
      ])
      expect(Count.isValue(3)).toBe(true)
      expect(Count.isValue({ n: 3 })).toBe(false)
      expect(Count.name).toBe('count')
      const Box2 = X.element('b', NS, { counts: X.many(Count) })
      expect(
        ok(Box2.decode(xml(`<b xmlns='${NS}'><count n='1'/><count n='2'/></b>`))),
      ).toStrictEqual({ counts: [1, 2] })
    })
  })

  // -----------------------------------------------------------------------------------
  describe('element definitions', () => {
    it('element: is matches name and namespace', () => {
      const D = X.element('d', NS, {})
      expect(D.is(xml(`<d xmlns='${NS}'/>`))).toBe(true)
      expect(D.is(xml(`<d xmlns='urn:o'/>`))).toBe(false)
      expect(D.is(xml(`<e xmlns='${NS}'/>`))).toBe(false)
      expect(D.name).toBe('d')
      expect(D.ns).toBe(NS)
    })

    it('element, define, oneOf: an invalid element name is a programmer error', () => {
      expect(() => X.element('a b', NS, {})).toThrow(TypeError)
      expect(() => X.define({ name: '1x', ns: NS, on: ['message'], fields: {} })).toThrow(TypeError)
      expect(() => X.oneOf({ ns: NS, names: ['ok', '<no>'], on: ['message'] })).toThrow(TypeError)
    })

    it('define: name, ns, kinds, feature', () => {
      const Attention = X.define({
        name: 'attention',
        ns: 'urn:xmpp:attention:0',
        on: ['message', 'presence'],
        feature: 'urn:xmpp:attention:0',
        fields: {},
      })
      expect(Attention.name).toBe('attention')
      expect(Attention.ns).toBe('urn:xmpp:attention:0')
      expect(Attention.kinds).toStrictEqual(['message', 'presence'])
      expect(Attention.feature).toBe('urn:xmpp:attention:0')
      expect(ext.Delay.kinds).toStrictEqual(['message', 'presence'])
      expect(ext.DiscoInfo.kinds).toStrictEqual(['iq'])
      expect(ext.DiscoInfo.feature).toBe('http://jabber.org/protocol/disco#info')
    })

    it('define: without a feature there is no feature key', () => {
      const D = X.define({ name: 'd', ns: NS, on: ['iq'], fields: {} })
      expect('feature' in D).toBe(false)
    })

    it('define: an empty definition decodes to {} (or its $rest)', () => {
      expect(ok(ext.Ping.decode(xml(`<ping xmlns='urn:xmpp:ping'/>`)))).toStrictEqual({})
      expect(str(ext.Ping.encode({}))).toBe(`<ping xmlns='urn:xmpp:ping'/>`)
      const r = ok(ext.Ping.decode(xml(`<ping xmlns='urn:xmpp:ping' a='1'/>`)))
      expect(r).toStrictEqual({ $rest: { attrs: expect.objectContaining({ a: '1' }) } })
    })

    it('oneOf: name is the first of its names; is matches any of them', () => {
      expect(ext.ChatState.name).toBe('active')
      expect(ext.ChatState.ns).toBe('http://jabber.org/protocol/chatstates')
      for (const n of ['active', 'composing', 'paused', 'inactive', 'gone'])
        expect(ext.ChatState.is(Xml.element(n, ext.ChatState.ns))).toBe(true)
      expect(ext.ChatState.is(Xml.element('typing', ext.ChatState.ns))).toBe(false)
      expect(ext.ChatState.is(Xml.element('active', 'urn:o'))).toBe(false)
    })

    it('oneOf: the record is the name; extras on the element are not kept', () => {
      const el = xml(`<paused xmlns='http://jabber.org/protocol/chatstates' a='1'><x/></paused>`)
      expect(ext.ChatState.decode(el)).toStrictEqual(E.right('paused'))
      expect(str(ext.ChatState.encode('paused'))).toBe(
        `<paused xmlns='http://jabber.org/protocol/chatstates'/>`,
      )
      expect(
        lines(ext.ChatState.decode(xml(`<typing xmlns='${ext.ChatState.ns}'/>`))),
      ).toStrictEqual([
        `typing: bad-request: expected <active xmlns='${ext.ChatState.ns}'>, got <typing>`,
      ])
    })

    it('oneOf: set replaces whichever state is there, in its place', () => {
      const m = msg(body, Xml.element('composing', ext.ChatState.ns), otherDelay)
      const next = ext.ChatState.set('paused')(m)
      expect(next.payload.map((p) => p.name)).toStrictEqual(['x', 'paused', 'delay'])
      expect(ext.ChatState.get(next)).toStrictEqual(O.some('paused'))
      expect(ext.ChatState.codec.is('gone')).toBe(true)
      expect(ext.ChatState.codec.is('typing')).toBe(false)
    })

    it('fromElement: an element definition bound to kinds, with a feature', () => {
      const Item = X.element('item', NS, { id: X.attr('id') })
      const E1 = X.fromElement(Item, { on: ['message', 'iq'], feature: 'urn:f' })
      expect(E1.kinds).toStrictEqual(['message', 'iq'])
      expect(E1.feature).toBe('urn:f')
      expect(E1.name).toBe('item')
      const m = E1.set({ id: '1' })(msg())
      expect(str(m.payload[0] as Xml.XmlElement)).toBe(`<item xmlns='${NS}' id='1'/>`)
      expect(E1.get(m)).toStrictEqual(O.some({ id: '1' }))
      expect('feature' in X.fromElement(Item, { on: ['iq'] })).toBe(false)
    })

    it('fromElement: works on a lazy definition', () => {
      const L = X.fromElement(
        X.lazy(() => X.element('l', NS, { a: X.attr('a') })),
        { on: ['presence'] },
      )
      const p = L.set({ a: 'x' })(Presence.make())
      expect(L.get(p)).toStrictEqual(O.some({ a: 'x' }))
    })
  })

  // -----------------------------------------------------------------------------------
  describe('getters', () => {
    const good = delayXml()
    const good2 = delayXml(`stamp='2010-01-01T00:00:00Z'`)
    const bad = delayXml(`stamp='yesterday'`)

    it('get: decodes the first matching element', () => {
      expect(ext.Delay.get(msg(body, good, good2))).toStrictEqual(O.some({ stamp: STAMP }))
    })

    it('get: absent → none; a namesake in another namespace does not match', () => {
      expect(ext.Delay.get(msg(body))).toStrictEqual(O.none)
      expect(ext.Delay.get(msg(otherDelay))).toStrictEqual(O.none)
    })

    it('get: the first match only: when it is invalid → none, though a later one is valid', () => {
      expect(ext.Delay.get(msg(bad, good))).toStrictEqual(O.none)
    })

    it('get: on a message decoded from XML', () => {
      const m = ok(
        Message.decode(
          `<message from='room@muc.example.com/nick'><body>x</body><delay xmlns='urn:xmpp:delay' from='Room@Muc.Example.COM' stamp='2002-09-10T23:08:25.5+02:00'>Offline Storage</delay></message>`,
        ),
      )
      expect(ext.Delay.get(m)).toStrictEqual(
        O.some({
          stamp: '2002-09-10T23:08:25.5+02:00',
          from: 'room@muc.example.com',
          reason: 'Offline Storage',
        }),
      )
    })

    it('getEither: Left with the full path when the first match is invalid', () => {
      expect(lines(ext.Delay.getEither(msg(body, bad, good)))).toStrictEqual([
        'message/delay@stamp: bad-request: expected an XEP-0082 DateTime (CCYY-MM-DDThh:mm:ss[.s]TZD)',
      ])
      expect(heads(ext.Delay.getEither(Presence.make({ payload: [bad] })))).toStrictEqual([
        'presence/delay@stamp: bad-request',
      ])
    })

    it('getEither: Right(none) when absent, Right(some) when valid', () => {
      expect(ext.Delay.getEither(msg(body, otherDelay))).toStrictEqual(E.right(O.none))
      expect(ext.Delay.getEither(msg(good, bad))).toStrictEqual(E.right(O.some({ stamp: STAMP })))
    })

    it('getEither: the 2nd same-named payload element is [2] in the path', () => {
      expect(heads(ext.Delay.getEither(msg(otherDelay, bad)))).toStrictEqual([
        'message/delay[2]@stamp: bad-request',
      ])
    })

    it('getEither: paths go down into nested elements', () => {
      const iq = Iq.make({
        type: 'result',
        payload: [
          xml(
            `<query xmlns='jabber:iq:roster'><item jid='a@example.com'/><item jid='b@example.com'><group>g</group></item><item jid='c@@example.com'/></query>`,
          ),
        ],
      })
      expect(heads(ext.Roster.getEither(iq))).toStrictEqual(['iq/query/item[3]@jid: jid-malformed'])
      expect(ext.Roster.get(iq)).toStrictEqual(O.none)
      expect(ext.Roster.has(iq)).toBe(true)
    })

    it('getAll: every valid match in order, skipping invalid ones', () => {
      expect(ext.Delay.getAll(msg(good2, bad, body, good, otherDelay))).toStrictEqual([
        { stamp: '2010-01-01T00:00:00Z' },
        { stamp: STAMP },
      ])
      expect(ext.Delay.getAll(msg(body))).toStrictEqual([])
    })

    it('has: true when an element matches, valid or not', () => {
      expect(ext.Delay.has(msg(bad))).toBe(true)
      expect(ext.Delay.has(msg(good))).toBe(true)
      expect(ext.Delay.has(msg(body, otherDelay))).toBe(false)
    })

    it('getters: the stanza is not mutated', () => {
      const m = deepFreeze(msg(body, bad, good))
      expect(() => {
        ext.Delay.get(m)
        ext.Delay.getEither(m)
        ext.Delay.getAll(m)
        ext.Delay.has(m)
      }).not.toThrow()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('setters', () => {
    const a = xml(`<a xmlns='urn:o'/>`)
    const b = xml(`<b xmlns='urn:o'/>`)
    const c = xml(`<c xmlns='urn:o'/>`)
    const d1 = delayXml()
    const d2 = delayXml(`stamp='bad'`)
    const fresh = { stamp: dt('2020-01-01T00:00:00Z') }
    const freshXml = `<delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>`

    it('set: replaces all matches by one, at the first match’s place', () => {
      const m = deepFreeze(msg(a, d1, b, d2, c))
      const next = ext.Delay.set(fresh)(m)
      expect(next.payload.map(str)).toStrictEqual([str(a), freshXml, str(b), str(c)])
      expect(m.payload).toHaveLength(5)
    })

    it('set: appends when nothing matches', () => {
      const next = ext.Delay.set(fresh)(msg(a, otherDelay))
      expect(next.payload.map(str)).toStrictEqual([str(a), str(otherDelay), freshXml])
    })

    it('set: replaces invalid matches too (has matched them)', () => {
      const next = ext.Delay.set(fresh)(msg(d2))
      expect(next.payload.map(str)).toStrictEqual([freshXml])
    })

    it('set: elements that do not match are the same references; other fields kept', () => {
      const m = Message.make({ type: 'chat', body: 'hi', id: 'm1', payload: [a, d1, otherDelay] })
      const next = ext.Delay.set(fresh)(m)
      expect(next.payload[0]).toBe(a)
      expect(next.payload[2]).toBe(otherDelay)
      expect({ ...next, payload: [] }).toStrictEqual({ ...m, payload: [] })
    })

    it('add: appends one more, keeping the others', () => {
      const next = ext.Delay.add(fresh)(deepFreeze(msg(d1, a)))
      expect(next.payload.map(str)).toStrictEqual([str(d1), str(a), freshXml])
      expect(ext.Delay.getAll(next)).toStrictEqual([{ stamp: STAMP }, fresh])
    })

    it('modify: applies f to every valid match; invalid ones stay as they are', () => {
      const later = delayXml(`stamp='2010-01-01T00:00:00Z'`)
      const m = deepFreeze(msg(d1, a, d2, later))
      const next = ext.Delay.modify((x) => ({ ...x, reason: 'r' }))(m)
      expect(next.payload.map(str)).toStrictEqual([
        `<delay xmlns='urn:xmpp:delay' stamp='${STAMP}'>r</delay>`,
        str(a),
        str(d2),
        `<delay xmlns='urn:xmpp:delay' stamp='2010-01-01T00:00:00Z'>r</delay>`,
      ])
      expect(next.payload[1]).toBe(a)
      expect(next.payload[2]).toBe(d2)
    })

    it('modify: the same stanza when nothing (valid) matched', () => {
      const none = msg(a, otherDelay)
      expect(ext.Delay.modify(() => fresh)(none)).toBe(none)
      const onlyInvalid = msg(d2)
      expect(ext.Delay.modify(() => fresh)(onlyInvalid)).toBe(onlyInvalid)
    })

    it('modify: f sees the decoded record', () => {
      const seen: Array<X.TypeOf<typeof ext.Delay>> = []
      ext.Delay.modify((x) => {
        seen.push(x)
        return x
      })(msg(d2, d1))
      expect(seen).toStrictEqual([{ stamp: STAMP }])
    })

    it('remove: removes every match, valid or not; keeps the rest', () => {
      const m = deepFreeze(msg(a, d1, otherDelay, d2, b))
      const next = ext.Delay.remove(m)
      expect(next.payload).toStrictEqual([a, otherDelay, b])
      expect(next.payload[1]).toBe(otherDelay)
    })

    it('remove: the same stanza when nothing matched', () => {
      const m = msg(a, otherDelay)
      expect(ext.Delay.remove(m)).toBe(m)
    })

    it('laws: get ∘ set = some, remove ∘ set = remove, set is idempotent', () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(a, b, d1, d2, otherDelay), { maxLength: 6 }),
          fc.option(
            arbText.filter((s) => /[^ \t\r\n]/.test(s)),
            { nil: undefined },
          ),
          (payload, reason) => {
            const m = msg(...payload)
            const v = reason === undefined ? fresh : { ...fresh, reason }
            const set = ext.Delay.set(v)(m)
            expect(ext.Delay.get(set)).toStrictEqual(O.some(v))
            expect(ext.Delay.remove(set)).toStrictEqual(ext.Delay.remove(m))
            expect(ext.Delay.set(v)(set)).toStrictEqual(set)
          },
        ),
        runs,
      )
    })

    it('setters: keep the stanza’s kind and its other fields (presence, iq)', () => {
      const p = Presence.make({ show: 'away', payload: [a] })
      const p2 = ext.Delay.set(fresh)(p)
      expect(p2.kind).toBe('presence')
      expect(p2.show).toBe('away')
      const iq = Iq.get(xml(`<query xmlns='jabber:iq:version'/>`), { id: 'v1' })
      const iq2 = ext.Version.set({ name: 'bot' })(iq)
      expect(iq2.type).toBe('get')
      expect(iq2.id).toBe('v1')
      expect(str(iq2.payload[0] as Xml.XmlElement)).toBe(
        `<query xmlns='jabber:iq:version'><name>bot</name></query>`,
      )
    })
  })

  // -----------------------------------------------------------------------------------
  describe('lossless', () => {
    const Q = X.element('query', NS, { a: X.flag('a'), b: X.flag('b') })

    it('$rest: an unknown child is written back in place', () => {
      const el = xml(`<query xmlns='${NS}'><a/><unknown/><b/></query>`)
      const r = ok(Q.decode(el))
      expect(r.$rest?.children).toStrictEqual([{ at: 1, node: Xml.element('unknown', NS) }])
      expect(str(Q.encode(r))).toBe(`<query xmlns='${NS}'><a/><unknown/><b/></query>`)
    })

    it('$rest: unknown children first, last and between, with text', () => {
      for (const s of [
        `<query xmlns='${NS}'><u1/><u2 x='1'>t</u2><a/></query>`,
        `<query xmlns='${NS}'><a/><b/><u/>tail</query>`,
        `<query xmlns='${NS}'>head<a/><u xmlns='urn:o'><deep><er/></deep></u><b/></query>`,
        `<query xmlns='${NS}'><u/></query>`,
      ]) {
        const el = xml(s)
        expect(str(Q.encode(ok(Q.decode(el))))).toBe(s)
      }
    })

    it('$rest: unknown attributes are kept; xml:lang too when not modelled', () => {
      const el = xml(
        `<query xmlns='${NS}' xml:lang='en' foo='1' xmlns:o='urn:o' o:bar='2'><a/></query>`,
      )
      const r = ok(Q.decode(el))
      expect({ ...r.$rest?.attrs }).toStrictEqual({ 'xml:lang': 'en', foo: '1', '{urn:o}bar': '2' })
      expect(Xml.equals(Q.encode(r), el)).toBe(true)
    })

    it('$rest: absent when there is nothing unknown', () => {
      expect('$rest' in ok(Q.decode(xml(`<query xmlns='${NS}'><a/></query>`)))).toBe(false)
    })

    it('$rest: blank text between children is not kept (insignificant white space)', () => {
      const r = ok(Q.decode(xml(`<query xmlns='${NS}'>\n  <a/>\n  <b/>\n</query>`)))
      expect(r).toStrictEqual({ a: true, b: true })
    })

    it('$rest: nested records keep theirs too', () => {
      const el = xml(
        `<query xmlns='jabber:iq:roster' ver='v1' x='1'><item jid='a@b' extra='e'><group>g</group><note>n</note></item><foo/></query>`,
      )
      const r = ok(ext.Roster.decode(el))
      expect(r.items[0]?.$rest?.attrs?.extra).toBe('e')
      expect(Xml.equals(ext.Roster.encode(r), el)).toBe(true)
    })

    it('modify(identity): unknown children survive, canonical forms aside', () => {
      const el = xml(
        `<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' jid='Hag66@Shakespeare.lit/pda' role='participant'><x xmlns='urn:o'/></item><status code='+110'/><unknown a='b'/></x>`,
      )
      const next = ext.MucUser.modify(identity)(Presence.make({ payload: [el] }))
      expect(str(next.payload[0] as Xml.XmlElement)).toBe(
        `<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' jid='hag66@shakespeare.lit/pda'><x xmlns='urn:o'/></item><status code='110'/><unknown a='b'/></x>`,
      )
    })

    it('decode ∘ encode = id on decoded records', () => {
      const el = xml(
        `<x xmlns='jabber:x:data' type='result' z='1'><title>T</title><reported><field var='a'/></reported><item><field var='a'><value>1</value></field></item><instructions>i</instructions><fancy/></x>`,
      )
      const r = ok(ext.DataForm.decode(el))
      expect(ext.DataForm.decode(ext.DataForm.encode(r))).toStrictEqual(E.right(r))
    })

    it('encode(decode(el)) = el for any unknown attributes and children', () => {
      const unknownChild: fc.Arbitrary<Xml.XmlNode> = fc.oneof(
        arbElement.filter((e) => e.ns !== ext.StanzaId.ns),
        arbText.filter((s) => /[^ \t\r\n]/.test(s)),
      )
      const unknownAttrs = fc
        .array(
          fc.tuple(
            fc.constantFrom('xml:lang', 'foo', 'x-y', '{urn:o}id', '__proto__', 'constructor'),
            arbText,
          ),
          { maxLength: 3 },
        )
        .map((kv) => Object.fromEntries(kv))
      fc.assert(
        fc.property(unknownAttrs, fc.array(unknownChild, { maxLength: 4 }), (attrs, kids) => {
          const el = Xml.element(
            'stanza-id',
            ext.StanzaId.ns,
            { ...attrs, id: 'x', by: 'muc.example.com' },
            kids,
          )
          const r = ok(ext.StanzaId.decode(el))
          expect(Xml.equals(ext.StanzaId.encode(r), el)).toBe(true)
          expect(ext.StanzaId.decode(ext.StanzaId.encode(r))).toStrictEqual(E.right(r))
        }),
        runs,
      )
    })
  })

  // -----------------------------------------------------------------------------------
  describe('decode', () => {
    it('decode: paths start at the element', () => {
      expect(heads(ext.Delay.decode(delayXml(`stamp='x' from='@'`)))).toStrictEqual([
        'delay@stamp: bad-request',
        'delay@from: jid-malformed',
      ])
    })

    it('decode: a wrong name or namespace is rejected', () => {
      expect(lines(ext.Delay.decode(xml(`<x xmlns='urn:xmpp:delay'/>`)))).toStrictEqual([
        "x: bad-request: expected <delay xmlns='urn:xmpp:delay'>, got <x>",
      ])
      expect(heads(ext.Delay.decode(otherDelay))).toStrictEqual(['delay: bad-request'])
    })

    it('decode: does not mutate its input', () => {
      const el = deepFreeze(delayXml(`stamp='${STAMP}' extra='1'`, 'why<u/>'))
      const r = ok(ext.Delay.decode(el))
      expect(r.reason).toBe('why')
      expect(Xml.equals(ext.Delay.encode(r), el)).toBe(true)
    })

    it('encode: does not mutate the record', () => {
      const r = deepFreeze(ok(ext.Delay.decode(delayXml(`stamp='${STAMP}' extra='1'`, '<u/>'))))
      expect(() => ext.Delay.encode(r)).not.toThrow()
    })
  })

  // -----------------------------------------------------------------------------------
  describe('codec', () => {
    const el = delayXml(`stamp='${STAMP}' from='Room@Example.com'`, 'why')

    it('codec: validate decodes an element; encode writes it back', () => {
      const r = ext.Delay.codec.validate(el, [])
      expect(r).toStrictEqual(E.right({ stamp: STAMP, from: 'room@example.com', reason: 'why' }))
      if (E.isRight(r))
        expect(str(ext.Delay.codec.encode(r.right))).toBe(
          `<delay xmlns='urn:xmpp:delay' stamp='${STAMP}' from='room@example.com'>why</delay>`,
        )
      expect(ext.Delay.codec.name).toBe('delay')
    })

    it('codec: an invalid element is a Left carrying the formatted problem', () => {
      const r = ext.Delay.codec.decode(delayXml(`stamp='nope'`))
      expect(E.isLeft(r)).toBe(true)
      if (E.isLeft(r)) expect(r.left[0]?.message).toMatch(/^delay@stamp: bad-request: /)
    })

    it('codec: validate on junk gives a Left and never throws', () => {
      const cyclic: Record<string, unknown> = { name: 'delay', ns: 'urn:xmpp:delay', attrs: {} }
      cyclic.children = [cyclic]
      let deep: unknown = 'x'
      for (let i = 0; i < 5000; i++) deep = { name: 'a', ns: '', attrs: {}, children: [deep] }
      const junk: ReadonlyArray<unknown> = [
        null,
        undefined,
        0,
        'delay',
        [],
        {},
        Symbol('s'),
        () => 1,
        new Date(),
        Object.create(null),
        { name: 'delay', ns: 'urn:xmpp:delay' },
        { name: 'delay', ns: 'urn:xmpp:delay', attrs: null, children: [] },
        { name: 'delay', ns: 'urn:xmpp:delay', attrs: { stamp: 1 }, children: [] },
        { name: 'delay', ns: 'urn:xmpp:delay', attrs: {}, children: 'x' },
        { name: 'delay', ns: 'urn:xmpp:delay', attrs: {}, children: [1] },
        { name: 'delay', ns: 'urn:xmpp:delay', attrs: {}, children: [{ name: 'x' }] },
        { name: 1, ns: 'urn:xmpp:delay', attrs: {}, children: [] },
        { name: 'delay', ns: 'urn:xmpp:delay', attrs: {}, children: [] },
        cyclic,
        deep,
      ]
      for (const u of junk) {
        for (const e of [ext.Delay, ext.DiscoInfo, ext.Forwarded, ext.MucUser] as const) {
          let r: E.Either<t.Errors, unknown> | undefined
          expect(() => {
            r = (e.codec as t.Type<unknown, Xml.XmlElement, unknown>).validate(u, [])
          }).not.toThrow()
          expect(r !== undefined && E.isLeft(r)).toBe(true)
        }
      }
    })

    it('codec: is accepts records and rejects what is not one', () => {
      const is = ext.Delay.codec.is
      expect(is({ stamp: STAMP })).toBe(true)
      expect(is({ stamp: STAMP, from: 'a@b', reason: 'r' })).toBe(true)
      expect(is({ stamp: STAMP, $rest: { attrs: { x: '1' } } })).toBe(true)
      expect(
        is({ stamp: STAMP, $rest: { children: [{ at: 0, node: Xml.element('u', NS) }] } }),
      ).toBe(true)
      for (const u of [
        null,
        'x',
        {},
        { stamp: 'yesterday' },
        { stamp: STAMP, from: 'A@B' },
        { stamp: STAMP, from: '@' },
        { stamp: STAMP, reason: 1 },
        { stamp: STAMP, $rest: 1 },
        { stamp: STAMP, $rest: { children: [{ at: 'x', node: 'n' }] } },
        { stamp: STAMP, $rest: { children: [{ at: 0, node: { name: 'u' } }] } },
      ])
        expect(is(u)).toBe(false)
      expect(ext.DiscoInfo.codec.is({ identities: [], features: [], extensions: [] })).toBe(true)
      expect(ext.DiscoInfo.codec.is({ identities: [], features: [1], extensions: [] })).toBe(false)
      expect(ext.DiscoInfo.codec.is({ identities: [], extensions: [] })).toBe(false)
    })

    it('codec: composes with io-ts combinators', () => {
      const Pair = t.tuple([ext.Delay.codec, ext.ChatState.codec])
      expect(Pair.decode([delayXml(), Xml.element('gone', ext.ChatState.ns)])).toStrictEqual(
        E.right([{ stamp: STAMP }, 'gone']),
      )
      expect(E.isLeft(Pair.decode([delayXml(), 'x']))).toBe(true)
    })
  })

  // -----------------------------------------------------------------------------------
  describe('hostile input', () => {
    const names = [
      'delay',
      'x',
      'query',
      'item',
      'status',
      'feature',
      'identity',
      'field',
      'value',
      'option',
      'reported',
      'forwarded',
      'message',
      'presence',
      'iq',
      'history',
      'password',
      'actor',
      'reason',
      'invite',
      'decline',
      'destroy',
      'url',
      'desc',
      'group',
      'stanza-id',
      'title',
      'instructions',
      'required',
      'body',
      'composing',
      'gone',
      '__proto__',
      'constructor',
    ] as const
    const namespaces = [
      'urn:xmpp:delay',
      'http://jabber.org/protocol/chatstates',
      'http://jabber.org/protocol/disco#info',
      'jabber:x:data',
      'http://jabber.org/protocol/muc',
      'http://jabber.org/protocol/muc#user',
      'jabber:iq:roster',
      'urn:xmpp:forward:0',
      'jabber:x:oob',
      'urn:xmpp:sid:0',
      'jabber:client',
      '',
    ] as const
    const keys = [
      'stamp',
      'from',
      'to',
      'jid',
      'id',
      'by',
      'code',
      'var',
      'type',
      'node',
      'name',
      'category',
      'xml:lang',
      'affiliation',
      'role',
      'subscription',
      'ask',
      'approved',
      'maxchars',
      'since',
      'label',
      '__proto__',
      'constructor',
      'toString',
    ] as const
    const values = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        '1',
        '+007',
        '110',
        'true',
        'x',
        STAMP,
        '2002-02-30T00:00:00Z',
        'Juliet@Example.COM',
        '@bad',
        'a@b/c',
        '99999999999999999999',
        'form',
        'result',
        'subscribe',
        'chat',
        'get',
      ),
      arbText,
    )
    const attrs = fc
      .array(fc.tuple(fc.constantFrom(...keys), values), { maxLength: 4 })
      .map((kv) => Object.fromEntries(kv))
    const { tree } = fc.letrec<{ tree: Xml.XmlElement; node: Xml.XmlNode }>((tie) => ({
      tree: fc
        .tuple(
          fc.constantFrom(...names),
          fc.constantFrom(...namespaces),
          attrs,
          fc.array(tie('node'), { maxLength: 4 }),
        )
        .map(([n, u, a, c]) => Xml.element(n, u, a, c)),
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, values, tie('tree')),
    }))

    type Probe = (el: Xml.XmlElement) => void
    const probe =
      <K extends X.Kind, A>(
        e: X.Extension<K, A>,
        wrap: (payload: ReadonlyArray<Xml.XmlElement>) => X.StanzaOf<K>,
      ): Probe =>
      (el) => {
        // The root is renamed so that every tree is tried as this extension's element.
        const own = { ...el, name: e.name, ns: e.ns }
        for (const candidate of [el, own]) {
          const decoded = e.decode(candidate)
          if (E.isRight(decoded)) {
            // Lossless: what decodes re-encodes to something that decodes the same.
            expect(e.decode(e.encode(decoded.right))).toStrictEqual(decoded)
            expect(e.codec.is(decoded.right)).toBe(true)
          }
          const s = wrap([el, candidate, el])
          const first = e.get(s)
          const either = e.getEither(s)
          expect(O.isSome(first)).toBe(E.isRight(either) && O.isSome(either.right))
          expect(e.has(s)).toBe(e.is(el) || e.is(candidate))
          e.getAll(s)
          e.modify(identity)(s)
          e.codec.validate(candidate, [])
        }
      }

    const probes: ReadonlyArray<readonly [string, Probe]> = [
      ['Delay', probe(ext.Delay, (payload) => Message.make({ payload }))],
      ['ChatState', probe(ext.ChatState, (payload) => Message.make({ payload }))],
      ['DiscoInfo', probe(ext.DiscoInfo, (payload) => Iq.make({ type: 'result', payload }))],
      ['DataForm', probe(ext.DataForm, (payload) => Message.make({ payload }))],
      ['MucJoin', probe(ext.MucJoin, (payload) => Presence.make({ payload }))],
      ['MucUser', probe(ext.MucUser, (payload) => Presence.make({ payload }))],
      ['Roster', probe(ext.Roster, (payload) => Iq.make({ type: 'set', payload }))],
      ['Forwarded', probe(ext.Forwarded, (payload) => Message.make({ payload }))],
      ['Oob', probe(ext.Oob, (payload) => Message.make({ payload }))],
      ['StanzaId', probe(ext.StanzaId, (payload) => Message.make({ payload }))],
    ]

    it.each(probes)(
      'get, getEither, getAll, decode: never throw on arbitrary trees (%s)',
      (_, run) => {
        fc.assert(
          fc.property(fc.oneof(tree, arbElement), (el) => {
            expect(() => run(el)).not.toThrow()
          }),
          { numRuns: 200 },
        )
      },
    )

    it('getters: __proto__ and constructor attributes do not pollute Object.prototype', () => {
      const before = Object.getOwnPropertyNames(Object.prototype).sort()
      // JSON.parse makes an own `__proto__` key, as a hostile producer of trees could.
      const hostile = JSON.parse(
        '{"__proto__": "polluted", "constructor": "c", "toString": "t", "hasOwnProperty": "h", "stamp": "2002-09-10T23:08:25Z"}',
      ) as Record<string, string>
      const el = Xml.element('delay', 'urn:xmpp:delay', hostile, [
        Xml.element('x', NS, JSON.parse('{"__proto__": "p"}') as Record<string, string>),
      ])
      const r = ok(ext.Delay.decode(el))
      expect(Object.keys(r.$rest?.attrs ?? {}).sort()).toStrictEqual([
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'toString',
      ])
      expect(Object.getOwnPropertyDescriptor(r.$rest?.attrs ?? {}, '__proto__')?.value).toBe(
        'polluted',
      )
      const back = ext.Delay.encode(r)
      expect(Xml.equals(back, el)).toBe(true)
      expect(Object.hasOwn(back.attrs, '__proto__')).toBe(true)
      expect(ext.Delay.modify(identity)(msg(el)).payload[0]).toStrictEqual(back)
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toStrictEqual(before)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.getPrototypeOf({})).toBe(Object.prototype)
    })

    it('fields: inherited names are not attributes, even on a plain-object attrs record', () => {
      // Trees from outside Xml.element may have ordinary objects as attrs.
      const plain = (attrs: Record<string, string>): Xml.XmlElement => ({
        name: 'p',
        ns: NS,
        attrs,
        children: [{ name: 'i', ns: NS, attrs: {}, children: [] }],
      })
      const Opt = X.element('p', NS, { c: X.optional(X.attr('constructor')) })
      expect(ok(Opt.decode(plain({})))).toStrictEqual({ $rest: { children: [expect.anything()] } })
      const Req = X.element('p', NS, { c: X.attr('toString') })
      expect(heads(Req.decode(plain({})))).toStrictEqual(['p@toString: bad-request'])
      const Vals = X.element('p', NS, { v: X.values('i', 'hasOwnProperty', X.string) })
      expect(heads(Vals.decode(plain({})))).toStrictEqual(['p/i@hasOwnProperty: bad-request'])
    })

    it('getters: a stanza-like record with a hostile payload does not throw', () => {
      const hostile = Message.make({
        payload: [
          Xml.element('delay', 'urn:xmpp:delay', { stamp: STAMP }, ['a'.repeat(100_000)]),
          Xml.element(
            'x',
            'http://jabber.org/protocol/muc#user',
            {},
            Array.from({ length: 2000 }, () =>
              Xml.element('status', 'http://jabber.org/protocol/muc#user', { code: '1' }),
            ),
          ),
        ],
      })
      expect(ext.Delay.get(hostile)).toStrictEqual(
        O.some({ stamp: STAMP, reason: 'a'.repeat(100_000) }),
      )
      expect(
        pipe(
          ext.MucUser.get(hostile),
          O.map((x) => x.statusCodes.length),
        ),
      ).toStrictEqual(O.some(2000))
    })
  })
})
