import { domainToASCII } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Jid from '../src/Jid.js'
import {
  bareJid as arbBareJid,
  domainpart as arbDomainpart,
  jid as arbJid,
  localpart as arbLocalpart,
  noisy as arbNoisy,
  resourcepart as arbResourcepart,
  spelling as arbSpelling,
} from './arbitraries/Jid.js'

const ok = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r)) throw new Error(`expected Right for ${JSON.stringify(s)}, got ${r.left.message}`)
  return r.right
}

const fault = (s: string): Jid.JidError => {
  const r = Jid.parse(s)
  if (E.isRight(r)) throw new Error(`expected Left for ${JSON.stringify(s)}, got ${r.right}`)
  return r.left
}

const parts = (j: Jid.Jid) => ({
  local: pipe(Jid.local(j), O.toUndefined),
  domain: Jid.domain(j),
  resource: pipe(Jid.resource(j), O.toUndefined),
})

describe('Jid', () => {
  describe('constructors', () => {
    // RFC 7622 §3.5 Table 1, with the canonical form each one prepares to.
    it.each([
      ['juliet@example.com', 'juliet@example.com'],
      ['juliet@example.com/foo', 'juliet@example.com/foo'],
      ['juliet@example.com/foo bar', 'juliet@example.com/foo bar'],
      ['juliet@example.com/foo@bar', 'juliet@example.com/foo@bar'],
      ['foo\\20bar@example.com', 'foo\\20bar@example.com'],
      ['fussball@example.com', 'fussball@example.com'],
      ['fußball@example.com', 'fußball@example.com'],
      ['π@example.com', 'π@example.com'],
      ['Σ@example.com/foo', 'σ@example.com/foo'],
      ['σ@example.com/foo', 'σ@example.com/foo'],
      ['ς@example.com/foo', 'ς@example.com/foo'],
      ['king@example.com/♚', 'king@example.com/♚'],
      ['example.com', 'example.com'],
      ['example.com/foobar', 'example.com/foobar'],
      ['a.example.com/b@example.net', 'a.example.com/b@example.net'],
      ['König@example.com/Kaiser', 'könig@example.com/Kaiser'],
    ])('parse: accepts the RFC 7622 §3.5 valid example %j as %j', (input, canonical) => {
      expect(ok(input)).toBe(canonical)
    })

    // RFC 7622 §3.5 Table 2, except "juliet@example.com/ foo" (RFC Errata ID 4560).
    it.each([
      ['"juliet"@example.com', 'local'],
      ['foo bar@example.com', 'local'],
      ['@example.com/', 'local'],
      ['henryⅣ@example.com', 'local'],
      ['♚@example.com', 'local'],
      ['juliet@', 'domain'],
      ['/foobar', 'domain'],
    ])('parse: rejects the RFC 7622 §3.5 invalid example %j in the %s part', (input, part) => {
      const e = fault(input)
      expect(e._tag).toBe('JidError')
      expect(e.part).toBe(part)
    })

    it('parse: accepts a leading space in the resourcepart (OpaqueString; RFC Errata ID 4560)', () => {
      expect(parts(ok('juliet@example.com/ foo'))).toEqual({
        local: 'juliet',
        domain: 'example.com',
        resource: ' foo',
      })
    })

    it('parse: the resourcepart starts at the first "/", the localpart ends at the first "@" before it', () => {
      expect(parts(ok('a/b@c'))).toEqual({ local: undefined, domain: 'a', resource: 'b@c' })
      expect(parts(ok('server/resource@foo/bar'))).toEqual({
        local: undefined,
        domain: 'server',
        resource: 'resource@foo/bar',
      })
      expect(parts(ok('u@d/r/s@t'))).toEqual({ local: 'u', domain: 'd', resource: 'r/s@t' })
      expect(fault('a@b@c').part).toBe('domain')
    })

    it.each([
      ['', 'jid'],
      ['@d', 'local'],
      ['d/', 'resource'],
      ['a@', 'domain'],
      ['@', 'local'],
      ['/', 'domain'],
      ['@/', 'local'],
      ['node@/server', 'domain'],
      ['user@@host', 'domain'],
      ['user@host/', 'resource'],
    ])('parse: rejects %j, with an empty %s part', (input, part) => {
      expect(fault(input).part).toBe(part)
    })

    it('parse: localpart is case-mapped, width-mapped and NFC-normalized (RFC 8265 §3.3.2)', () => {
      expect(ok('Juliet@Example.com')).toBe('juliet@example.com')
      expect(ok('Ｊｕｌｉｅｔ@x')).toBe('juliet@x')
      expect(ok('ｶﾞ@x')).toBe('ガ@x')
      expect(ok('e\u0301@x')).toBe('\u00e9@x')
      expect(ok('ß@x')).toBe('ß@x')
      expect(ok('ΣΑΣ@x')).toBe('σας@x')
    })

    it('parse: localpart rejects spaces, symbols, controls and compatibility characters (RFC 8264 §4.2)', () => {
      for (const input of [
        'a b@x',
        'a\u00a0b@x',
        '♚@x',
        'a€@x',
        'a\u0007@x',
        'a\u0085@x',
        '\ufb01@x',
        'ª@x',
        'a\u200bb@x',
        '\u{e000}@x',
        '\u{10ffff}@x',
      ]) {
        expect(fault(input).part).toBe('local')
      }
    })

    it.each(['"', '&', "'", ':', '<', '>'])(
      'parse: localpart rejects the RFC 7622 §3.3.1 character %j',
      (c) => {
        expect(fault(`a${c}b@example.com`)).toMatchObject({ part: 'local' })
      },
    )

    it('parse: a fullwidth "@" or "/" that width-maps into a separator is rejected in the localpart', () => {
      expect(fault('a\uff20b@example.com').part).toBe('local')
      expect(fault('a\uff0fb@example.com').part).toBe('local')
    })

    it('parse: contextual rules of RFC 5892 Appendix A apply in the localpart', () => {
      expect(ok('l·l@x')).toBe('l·l@x')
      expect(fault('a·b@x').part).toBe('local')
      expect(ok('\u0915\u094d\u200d\u0937@x')).toBe('\u0915\u094d\u200d\u0937@x')
      expect(fault('a\u200db@x').part).toBe('local')
      expect(ok('\u0661\u0662@x')).toBe('\u0661\u0662@x')
      expect(fault('\u0661\u06f2@x').part).toBe('local')
      expect(fault('\u0640@x').part).toBe('local')
    })

    it('parse: resourcepart keeps case, symbols and compatibility characters (RFC 8265 §4.2)', () => {
      expect(ok('x@example.com/Foo/Bar @x')).toBe('x@example.com/Foo/Bar @x')
      expect(ok('x@example.com/ⅣＦ♚')).toBe('x@example.com/ⅣＦ♚')
    })

    it('parse: resourcepart maps non-ASCII spaces to U+0020 and applies NFC', () => {
      expect(ok('x@example.com/a\u00a0b\u3000c')).toBe('x@example.com/a b c')
      expect(ok('x@example.com/e\u0301')).toBe('x@example.com/\u00e9')
    })

    it('parse: resourcepart rejects controls, unassigned, noncharacters, lone surrogates and ignorables', () => {
      for (const r of [
        'a\u0000',
        'a\tb',
        'a\u0085',
        '\u{50000}',
        '\ufffe',
        'a\ud800',
        '\udc00b',
        'a\u200bb',
        'a\u2028b',
        '\u{e000}',
      ]) {
        expect(fault(`x@example.com/${r}`).part).toBe('resource')
      }
    })

    it('parse: domainpart is lowercased and loses one final dot (RFC 7622 §3.2)', () => {
      expect(ok('EXAMPLE.com')).toBe('example.com')
      expect(ok('example.com.')).toBe('example.com')
      expect(ok('u@Example.COM./r')).toBe('u@example.com/r')
      expect(fault('example.com..').part).toBe('domain')
      expect(fault('.').part).toBe('domain')
      expect(fault('.example.com').part).toBe('domain')
      expect(fault('a..b').part).toBe('domain')
    })

    it('parse: domainpart width-maps and treats ideographic full stops as dots (RFC 5895 §2)', () => {
      expect(ok('ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('example.com')
      expect(ok('example\u3002com')).toBe('example.com')
    })

    it('parse: A-labels become U-labels, and U-labels stay (RFC 5891 §5)', () => {
      expect(ok('xn--bcher-kva.example')).toBe('bücher.example')
      expect(ok('XN--BCHER-KVA.example')).toBe('bücher.example')
      expect(ok('bücher.example')).toBe('bücher.example')
      expect(ok('BÜCHER.example')).toBe('bücher.example')
      expect(ok('xn--r8jz45g.xn--zckzah')).toBe('例え.テスト')
      expect(ok('u@xn--fa-hia.de')).toBe('u@faß.de')
    })

    it('parse: A-labels agree with the platform Punycode encoder', () => {
      for (const d of [
        'bücher.example',
        'münchen.de',
        'пример.испытание',
        '例え.テスト',
        'ελληνικά.gr',
        'faß.de',
        'mañana.com',
      ]) {
        const aLabels = domainToASCII(d)
        expect(aLabels.startsWith('xn--')).toBe(true)
        expect(ok(aLabels)).toBe(d)
      }
    })

    it('parse: rejects invalid A-labels', () => {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ['xn--bcher-kv.example', 'invalid A-label'], // truncated Punycode
        ['xn--zz.com', 'invalid A-label'], // a delta past U+10FFFF
        ['xn--abc.com', 'disallowed code point U+0082'], // decodes to a C1 control
        ['xn--a-ecp.ru', 'disallowed code point U+2488'], // decodes to a compatibility character
        ['xn--ls8h.la', 'disallowed code point U+1F4A9'], // decodes to a symbol
        ['xn--abc-.com', 'label starts or ends with a hyphen'], // would decode to pure ASCII
        ['xn--.com', 'label starts or ends with a hyphen'],
      ]
      for (const [d, message] of cases) {
        expect(fault(d)).toEqual({ _tag: 'JidError', part: 'domain', message })
      }
    })

    it('parse: rejects labels with symbols, underscores, edge hyphens or a leading mark', () => {
      for (const d of [
        '💩.la',
        'exa_mple.com',
        '-a.com',
        'a-.com',
        'a.-b',
        '\u0301a.com',
        'ab--ü.com',
        'a b.com',
        'exa!mple.com',
      ]) {
        expect(fault(d).part).toBe('domain')
      }
      expect(ok('ab--cd.com')).toBe('ab--cd.com')
      expect(ok('a-b.c-d')).toBe('a-b.c-d')
    })

    it('parse: labels are 1–63 octets, measured on the A-label for non-ASCII labels', () => {
      expect(ok(`${'a'.repeat(63)}.com`)).toBe(`${'a'.repeat(63)}.com`)
      expect(fault(`${'a'.repeat(64)}.com`).part).toBe('domain')
      // 32 × ü is 64 octets of UTF-8 but a 38-octet A-label.
      expect(ok(`${'ü'.repeat(32)}.com`)).toBe(`${'ü'.repeat(32)}.com`)
      // 58 octets of UTF-8, but the A-label is 65 octets.
      expect(fault(`${'a'.repeat(57)}ü.com`).part).toBe('domain')
      // 20 CJK characters give a 63-octet A-label, 21 give 66.
      const cjk = Array.from('中文字符集合体系就是一个例子用来测试长度的')
      expect(ok(`${cjk.slice(0, 20).join('')}.cn`)).toBe(`${cjk.slice(0, 20).join('')}.cn`)
      expect(fault(`${cjk.slice(0, 21).join('')}.cn`).part).toBe('domain')
    })

    it('parse: dotted-quad IPv4 addresses, and digits-and-dots that are not one are rejected', () => {
      expect(ok('u@192.0.2.1/r')).toBe('u@192.0.2.1/r')
      expect(ok('255.255.255.255')).toBe('255.255.255.255')
      expect(ok('0.0.0.0')).toBe('0.0.0.0')
      expect(ok('1.2.3.4.')).toBe('1.2.3.4')
      expect(ok('1.2.3.com')).toBe('1.2.3.com')
      expect(ok('123.example')).toBe('123.example')
      for (const d of ['1.2.3', '256.1.1.1', '1.2.3.4.5', '01.2.3.4', '1..2.3', '123']) {
        expect(fault(d).part).toBe('domain')
      }
    })

    it.each([
      ['[::1]', '[::1]'],
      ['[2001:DB8:0:0:0:0:0:1]', '[2001:db8::1]'],
      ['[2001:0db8:0000:0000:0001:0000:0000:0001]', '[2001:db8::1:0:0:1]'],
      ['[2001:db8:0:1:1:1:1:1]', '[2001:db8:0:1:1:1:1:1]'],
      ['[1:0:0:2:0:0:0:3]', '[1:0:0:2::3]'],
      ['[0:0:0:0:0:0:0:0]', '[::]'],
      ['[1:2:3:4:5:6:7::]', '[1:2:3:4:5:6:7:0]'],
      ['[::ffff:192.0.2.1]', '[::ffff:192.0.2.1]'],
      ['[::FFFF:c000:0201]', '[::ffff:192.0.2.1]'],
      ['[64:ff9b::192.0.2.1]', '[64:ff9b::c000:201]'],
    ])('parse: the IPv6 literal %j is written in RFC 5952 form %j', (input, canonical) => {
      expect(ok(input)).toBe(canonical)
      expect(ok(`u@${input}/r`)).toBe(`u@${canonical}/r`)
    })

    it('parse: rejects malformed IP literals', () => {
      for (const d of [
        '[]',
        '[::1',
        '[1::2::3]',
        '[1:2:3:4:5:6:7:8:9]',
        '[1:2:3:4:5:6:7]',
        '[fe80::1%eth0]',
        '[12345::]',
        '[::1.2.3]',
        '[v1.x]',
        '[1.2.3.4]',
        '[::1]x',
      ]) {
        expect(fault(d).part).toBe('domain')
      }
    })

    it('parse: each part may be 1023 UTF-8 octets, not 1024 (RFC 7622 §3.1)', () => {
      const label = 'a'.repeat(63)
      const domain1023 = Array.from({ length: 16 }, () => label).join('.')
      expect(domain1023.length).toBe(1023)
      expect(ok(domain1023)).toBe(domain1023)
      expect(fault(`${domain1023}b`).part).toBe('domain')
      // 1022 characters but 1023 octets, then 1023 characters but 1024 octets.
      const domainWithE = `é.${domain1023.slice(3)}`
      expect(domainWithE.length).toBe(1022)
      expect(ok(domainWithE)).toBe(domainWithE)
      expect(fault(`é.${domain1023.slice(2)}`).part).toBe('domain')

      expect(ok(`${'a'.repeat(1023)}@x`)).toBe(`${'a'.repeat(1023)}@x`)
      expect(fault(`${'a'.repeat(1024)}@x`).part).toBe('local')
      expect(ok(`${'é'.repeat(511)}a@x`)).toBe(`${'é'.repeat(511)}a@x`)
      expect(fault(`${'é'.repeat(512)}@x`).part).toBe('local')
      expect(fault(`${'E\u0301'.repeat(512)}@x`).part).toBe('local')

      expect(ok(`x/${'r'.repeat(1023)}`)).toBe(`x/${'r'.repeat(1023)}`)
      expect(fault(`x/${'r'.repeat(1024)}`).part).toBe('resource')
      expect(ok(`x/${'é'.repeat(511)}a`)).toBe(`x/${'é'.repeat(511)}a`)
      expect(fault(`x/${'é'.repeat(512)}`).part).toBe('resource')
      // 4-octet code points: 255 of them plus 3 octets is 1023.
      expect(ok(`x/${'😀'.repeat(255)}abc`)).toBe(`x/${'😀'.repeat(255)}abc`)
      expect(fault(`x/${'😀'.repeat(256)}`).part).toBe('resource')
    })

    it('parse: the octet limit applies after preparation', () => {
      // 1023 ideographic spaces are 3069 octets raw, 1023 after mapping to U+0020.
      expect(ok(`x/${'\u3000'.repeat(1023)}`)).toBe(`x/${' '.repeat(1023)}`)
      // 600 decomposed é (3 octets each raw) compose to 1200 octets: too long.
      expect(fault(`x/${'e\u0301'.repeat(600)}`).part).toBe('resource')
      // 400 decomposed é: 1200 octets raw, 800 after NFC.
      expect(ok(`x/${'e\u0301'.repeat(400)}`)).toBe(`x/${'\u00e9'.repeat(400)}`)
    })

    it('parse: huge input is rejected at once with a short message', () => {
      const huge = `${'a'.repeat(1_000_000)}@example.com`
      const started = Date.now()
      const e = fault(huge)
      expect(Date.now() - started).toBeLessThan(200)
      expect(e.part).toBe('jid')
      expect(e.message.length).toBeLessThanOrEqual(200)
    })

    it('parse: an input already canonical is returned unchanged', () => {
      const s = 'juliet@example.com/balcony'
      expect(ok(s)).toBe(s)
    })

    it('parse: never throws; the result is Left with a bounded message, or a JID that reparses to itself', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 40 }),
            fc.string({ unit: 'grapheme', maxLength: 20 }),
            arbNoisy,
          ),
          (s) => {
            const r = Jid.parse(s)
            if (E.isLeft(r)) {
              expect(r.left._tag).toBe('JidError')
              expect(['local', 'domain', 'resource', 'jid']).toContain(r.left.part)
              expect(r.left.message.length).toBeGreaterThan(0)
              expect(r.left.message.length).toBeLessThanOrEqual(200)
            } else {
              expect(Jid.parse(r.right)).toEqual(E.right(r.right))
              expect(Jid.is(r.right)).toBe(true)
            }
          },
        ),
        { numRuns: 2000 },
      )
    })

    it('parse: canonicalization is idempotent, also on strings near the grammar', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            arbNoisy,
            arbSpelling.map((x) => x.raw),
          ),
          (s) => {
            const once = Jid.parse(s)
            if (E.isRight(once)) expect(Jid.parse(once.right)).toEqual(once)
          },
        ),
        { numRuns: 2000 },
      )
    })

    it('parse: error messages never echo the input', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.constantFrom('♚', ' ', '\u0000', '"'),
          (s, bad) => {
            const e = fault(`qzxqzx${s}${bad}@example.com`)
            expect(e.message.toLowerCase()).not.toContain('qzxqzx')
          },
        ),
      )
    })
  })

  describe('refinements', () => {
    it('is: accepts canonical JIDs only', () => {
      expect(Jid.is('juliet@example.com/Balcony')).toBe(true)
      expect(Jid.is('example.com')).toBe(true)
      expect(Jid.is('Juliet@example.com')).toBe(false)
      expect(Jid.is('example.com.')).toBe(false)
      expect(Jid.is('xn--bcher-kva.example')).toBe(false)
      expect(Jid.is('')).toBe(false)
      expect(Jid.is(42)).toBe(false)
      expect(Jid.is(null)).toBe(false)
      expect(Jid.is({ toString: () => 'a@b' })).toBe(false)
    })

    it('isBare: true exactly when there is no resourcepart', () => {
      expect(Jid.isBare(ok('juliet@example.com'))).toBe(true)
      expect(Jid.isBare(ok('example.com'))).toBe(true)
      expect(Jid.isBare(ok('juliet@example.com/r'))).toBe(false)
      expect(Jid.isBare(ok('example.com/a@b'))).toBe(false)
    })
  })

  describe('getters', () => {
    it('local / domain / resource: split a canonical JID into its prepared parts', () => {
      expect(parts(ok('Juliet@Example.com/Balcony'))).toEqual({
        local: 'juliet',
        domain: 'example.com',
        resource: 'Balcony',
      })
      expect(parts(ok('[2001:db8::1]/r@s'))).toEqual({
        local: undefined,
        domain: '[2001:db8::1]',
        resource: 'r@s',
      })
      expect(parts(ok('xn--bcher-kva.example'))).toEqual({
        local: undefined,
        domain: 'bücher.example',
        resource: undefined,
      })
    })

    it('local / domain / resource: reassemble into the JID they came from', () => {
      fc.assert(
        fc.property(arbJid, (j) => {
          const l = Jid.local(j)
          const r = Jid.resource(j)
          const head = O.isSome(l) ? `${l.value}@${Jid.domain(j)}` : Jid.domain(j)
          expect(O.isSome(r) ? `${head}/${r.value}` : head).toBe(j)
          expect(Jid.isBare(j)).toBe(O.isNone(r))
        }),
      )
    })

    it('local / domain / resource: round-trip generated parts', () => {
      fc.assert(
        fc.property(arbLocalpart, arbDomainpart, arbResourcepart, (l, d, r) => {
          const j = ok(`${l}@${d}/${r}`)
          expect(parts(j)).toEqual({ local: l, domain: d, resource: r })
        }),
      )
    })
  })

  describe('setters', () => {
    it('bare: drops the resourcepart', () => {
      expect(Jid.bare(ok('juliet@example.com/balcony/x'))).toBe('juliet@example.com')
      expect(Jid.bare(ok('example.com/a@b'))).toBe('example.com')
      expect(Jid.bare(ok('juliet@example.com'))).toBe('juliet@example.com')
    })

    it('bare: is idempotent and gives a bare JID with the same local and domain', () => {
      fc.assert(
        fc.property(arbJid, (j) => {
          const b = Jid.bare(j)
          expect(Jid.bare(b)).toBe(b)
          expect(Jid.isBare(b)).toBe(true)
          expect(Jid.local(b)).toEqual(Jid.local(j))
          expect(Jid.domain(b)).toBe(Jid.domain(j))
          expect(Jid.is(b)).toBe(true)
        }),
      )
    })

    it('withResource: sets or replaces the resourcepart, prepared as OpaqueString', () => {
      const j = ok('juliet@example.com/old')
      expect(Jid.withResource('New Place')(j)).toEqual(E.right('juliet@example.com/New Place'))
      expect(Jid.withResource('a\u00a0e\u0301')(j)).toEqual(E.right('juliet@example.com/a é'))
      expect(Jid.withResource('x/y@z')(ok('example.com'))).toEqual(E.right('example.com/x/y@z'))
    })

    it('withResource: rejects what a resourcepart may not be', () => {
      const j = ok('juliet@example.com')
      for (const r of ['', 'a\u0000', 'r'.repeat(1024), 'a\ud800']) {
        const e = Jid.withResource(r)(j)
        expect(E.isLeft(e) && e.left.part).toBe('resource')
      }
    })

    it('withResource: resource(withResource(r)(j)) = some(r) and bare is unchanged', () => {
      fc.assert(
        fc.property(arbJid, arbResourcepart, (j, r) => {
          const set = Jid.withResource(r)(j)
          if (E.isLeft(set)) throw new Error(set.left.message)
          expect(Jid.resource(set.right)).toEqual(O.some(r))
          expect(Jid.bare(set.right)).toBe(Jid.bare(j))
          expect(Jid.parse(set.right)).toEqual(set)
        }),
      )
    })
  })

  describe('codecs', () => {
    it('codec: decodes strings that parse, to their canonical form', () => {
      expect(Jid.codec.decode('Juliet@Example.com/R')).toEqual(E.right('juliet@example.com/R'))
    })

    it('codec: rejects non-strings and invalid JIDs, naming the part', () => {
      for (const u of [undefined, null, 1, {}, ['a@b']]) {
        expect(E.isLeft(Jid.codec.decode(u))).toBe(true)
      }
      const r = Jid.codec.decode('a b@example.com')
      if (E.isRight(r)) throw new Error('expected Left')
      expect(r.left[0]?.message).toMatch(/^local: /)
    })

    it('codec: encode gives the canonical string and decode(encode(j)) = j', () => {
      fc.assert(
        fc.property(arbJid, (j) => {
          const encoded = Jid.codec.encode(j)
          expect(encoded).toBe(j)
          expect(Jid.codec.decode(encoded)).toEqual(E.right(j))
          expect(Jid.codec.is(j)).toBe(true)
        }),
      )
    })

    it('codec: is() refuses non-canonical strings', () => {
      expect(Jid.codec.is('Juliet@example.com')).toBe(false)
      expect(Jid.codec.is('juliet@example.com')).toBe(true)
    })
  })

  describe('instances', () => {
    it('Eq: spellings of one address are equal once parsed', () => {
      expect(Jid.Eq.equals(ok('Juliet@Example.COM.'), ok('juliet@example.com'))).toBe(true)
      expect(Jid.Eq.equals(ok('u@xn--bcher-kva.example'), ok('u@BÜCHER.example'))).toBe(true)
      expect(Jid.Eq.equals(ok('[::0:1]'), ok('[0:0::1]'))).toBe(true)
    })

    it('Eq: resourceparts compare case-sensitively, and bare differs from full', () => {
      expect(Jid.Eq.equals(ok('a@b/R'), ok('a@b/r'))).toBe(false)
      expect(Jid.Eq.equals(ok('a@b'), ok('a@b/r'))).toBe(false)
      expect(Jid.Eq.equals(ok('fussball@x'), ok('fußball@x'))).toBe(false)
    })

    it('Eq: agrees with string equality of canonical forms, across spellings', () => {
      fc.assert(
        fc.property(arbSpelling, arbBareJid, ({ raw, jid }, other) => {
          expect(Jid.Eq.equals(ok(raw), jid)).toBe(true)
          expect(Jid.Eq.equals(ok(raw), other)).toBe(jid === other)
        }),
      )
    })
  })

  describe('utils', () => {
    // XEP-0106 examples, with every backslash escaped as docs/semantics.md §1 specifies.
    it.each([
      ['space cadet', 'space\\20cadet'],
      ['call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
      ['at&t guy', 'at\\26t\\20guy'],
      ["d'artagnan", 'd\\27artagnan'],
      ['/.fanboy', '\\2f.fanboy'],
      ['::foo::', '\\3a\\3afoo\\3a\\3a'],
      ['<foo>', '\\3cfoo\\3e'],
      ['user@host', 'user\\40host'],
      ['c:\\net', 'c\\3a\\5cnet'],
      ['c:\\\\net', 'c\\3a\\5c\\5cnet'],
      ['c:\\cool stuff', 'c\\3a\\5ccool\\20stuff'],
      ['c:\\5commas', 'c\\3a\\5c5commas'],
    ])('escapeLocal: %j → %j', (raw, escaped) => {
      expect(Jid.escapeLocal(raw)).toBe(escaped)
      expect(Jid.unescapeLocal(escaped)).toBe(raw)
    })

    it('escapeLocal: trims edge spaces only, so no \\20 at either end', () => {
      expect(Jid.escapeLocal('  a b  ')).toBe('a\\20b')
      expect(Jid.escapeLocal('   ')).toBe('')
      expect(Jid.escapeLocal('\ta\t')).toBe('\ta\t')
      expect(Jid.escapeLocal(`${' '.repeat(100_000)}x`)).toBe('x')
    })

    it('escapeLocal: the result is a valid localpart for names made of letters and the escaped characters', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: fc.constantFrom(...Array.from('abcXYZ é"&\'/:<>@\\')), minLength: 1 }),
          (s) => {
            fc.pre(s.trim() !== '')
            const l = Jid.escapeLocal(s)
            expect(Jid.local(ok(`${l}@example.com`))).toEqual(O.some(l.toLowerCase()))
          },
        ),
      )
    })

    it('unescapeLocal: replaces only the ten lowercase sequences, left to right, without rescanning', () => {
      expect(Jid.unescapeLocal('\\5c20')).toBe('\\20')
      expect(Jid.unescapeLocal('\\zz')).toBe('\\zz')
      expect(Jid.unescapeLocal('\\2F')).toBe('\\2F')
      expect(Jid.unescapeLocal('\\2')).toBe('\\2')
      expect(Jid.unescapeLocal('a\\\\20b')).toBe('a\\ b')
      expect(Jid.unescapeLocal('\\40\\3a\\3c\\3e\\22\\26\\27\\2f\\5c\\20')).toBe('@:<>"&\'/\\ ')
    })

    it('unescapeLocal(escapeLocal(s)) = s when s has no edge spaces', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary' }),
            fc.string({ unit: fc.constantFrom(...Array.from(' "&\'/:<>@\\25cfaz0')) }),
          ),
          (s) => {
            fc.pre(!s.startsWith(' ') && !s.endsWith(' '))
            expect(Jid.unescapeLocal(Jid.escapeLocal(s))).toBe(s)
          },
        ),
      )
    })
  })
})
