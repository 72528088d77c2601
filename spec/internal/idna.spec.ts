import { domainToASCII, domainToUnicode } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { codePoints, mapDomain, prepareLabel, widthMap } from '../../src/internal/idna.js'
import { encode } from '../../src/internal/punycode.js'

const failure = (message: string) => ({ _tag: 'LabelError', message })

describe('internal/idna', () => {
  describe('mapping (RFC 5895 §2)', () => {
    it('widthMap: fullwidth and halfwidth forms to their decomposition (UAX #11)', () => {
      expect(widthMap('ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('example.com')
      expect(widthMap('\u3000')).toBe(' ')
      expect(widthMap('ｶ')).toBe('カ')
      expect(widthMap('\uffe3')).toBe('\u00af')
      expect(widthMap('e\u0301 ü 例')).toBe('e\u0301 ü 例')
    })

    it('mapDomain: width, ideographic full stop, lowercase, NFC', () => {
      expect(mapDomain('ＥＸＡＭＰＬＥ．com')).toBe('example.com')
      expect(mapDomain('例え\u3002テスト')).toBe('例え.テスト')
      expect(mapDomain('BÜCHER.Example')).toBe('bücher.example')
      expect(mapDomain('bu\u0308cher')).toBe('bücher')
      expect(mapDomain('ｶﾞ')).toBe('ガ')
    })
  })

  describe('A-labels and U-labels (RFC 5891 §5.3–5.4)', () => {
    // The sample strings of RFC 3492 §7.1 as A-labels (mapped, so lowercase) and as U-labels.
    it.each([
      ['(B)', 'xn--ihqwcrb4cv8a8dqg056pqjye', '他们为什么不说中文'],
      ['(C)', 'xn--ihqwctvzc91f659drss3x8bo0yb', '他們爲什麽不說中文'],
      ['(D)', 'xn--proprostnemluvesky-uyb24dma41a', 'pročprostěnemluvíčesky'],
      ['(E)', 'xn--4dbcagdahymbxekheh6e0a7fei0b', 'למההםפשוטלאמדבריםעברית'],
      ['(F)', 'xn--i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd', 'यहलोगहिन्दीक्योंनहींबोलसकतेहैं'],
      ['(G)', 'xn--n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa', 'なぜみんな日本語を話してくれないのか'],
      ['(I)', 'xn--b1abfaaepdrnnbgefbadotcwatmq2g4l', 'почемужеонинеговорятпорусски'],
      [
        '(J)',
        'xn--porqunopuedensimplementehablarenespaol-fmd56a',
        'porquénopuedensimplementehablarenespañol',
      ],
      [
        '(K)',
        'xn--tisaohkhngthchnitingvit-kjcr8268qyxafd2f1b9g',
        'tạisaohọkhôngthểchỉnóitiếngviệt',
      ],
      ['(L)', 'xn--3b-ww4c5e180e575a65lsy2b', '3年b組金八先生'],
      ['(M)', 'xn---with-super-monkeys-pc58ag80a8qai00g7n9n', '安室奈美恵-with-super-monkeys'],
      ['(N)', 'xn--hello-another-way--fc4qua05auwb3674vfr0b', 'hello-another-way-それぞれの場所'],
      ['(O)', 'xn--2-u9tlzr9756bt3uc0v', 'ひとつ屋根の下2'],
      ['(P)', 'xn--majikoi5-783gue6qz075azm5e', 'majiでkoiする5秒前'],
      ['(Q)', 'xn--de-jg4avhby1noc0d', 'パフィーdeルンバ'],
      ['(R)', 'xn--d9juau41awczczp', 'そのスピードで'],
    ])(
      'prepareLabel: RFC 3492 §7.1 %s: the A-label %j becomes the U-label %j, which stays',
      (_n, aLabel, uLabel) => {
        expect(prepareLabel(aLabel)).toBe(uLabel)
        expect(prepareLabel(uLabel)).toBe(uLabel)
        expect(domainToUnicode(aLabel)).toBe(uLabel)
      },
    )

    it('prepareLabel: RFC 3492 §7.1 (A) ends in U+061F ARABIC QUESTION MARK, punctuation (RFC 5892 §2.1)', () => {
      const message = 'disallowed code point U+061F'
      expect(prepareLabel('xn--egbpdaj6bu4bxfgehfvwxn')).toEqual(failure(message))
      expect(prepareLabel('ليهمابتكلموشعربي؟')).toEqual(failure(message))
    })

    it('prepareLabel: RFC 3492 §7.1 (H) is a 73-octet A-label, over 63 (RFC 1034 §3.1)', () => {
      const aLabel = 'xn--989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c'
      expect(prepareLabel(aLabel)).toEqual(failure('label exceeds 63 octets'))
      expect(prepareLabel('세계의모든사람들이한국어를이해한다면얼마나좋을까')).toEqual(
        failure('label exceeds 63 octets'),
      )
    })

    it('prepareLabel: RFC 3492 §7.1 (S) is ASCII but not LDH (RFC 5890 §2.3.1)', () => {
      expect(prepareLabel('xn---> $1.00 <--')).toEqual(failure('disallowed character U+003E'))
    })

    it('prepareLabel: the octet limit is measured on the A-label', () => {
      expect(prepareLabel('ü'.repeat(32))).toBe('ü'.repeat(32))
      expect(prepareLabel(`${'a'.repeat(57)}ü`)).toEqual(failure('label exceeds 63 octets'))
      expect(prepareLabel('a'.repeat(63))).toBe('a'.repeat(63))
      expect(prepareLabel('a'.repeat(64))).toEqual(failure('label exceeds 63 octets'))
    })

    it('prepareLabel: an A-label must round-trip to itself through a mapped U-label (RFC 5891 §5.3)', () => {
      expect(prepareLabel('xn--bcher-kva')).toBe('bücher')
      expect(prepareLabel('xn--bcher-kv')).toEqual(failure('invalid A-label'))
      expect(prepareLabel('xn--zz')).toEqual(failure('invalid A-label'))
      // Decodes to "Ü" (not lowercase) and to "u" + U+0308 (not NFC).
      expect(prepareLabel(`xn--${encode([0xdc])}`)).toEqual(failure('invalid A-label'))
      expect(prepareLabel(`xn--${encode([0x75, 0x308])}`)).toEqual(failure('invalid A-label'))
      // Pure ASCII after decoding is no A-label; "xn--abc-" has an edge hyphen anyway.
      expect(prepareLabel('xn--abc-')).toEqual(failure('label starts or ends with a hyphen'))
      expect(prepareLabel('xn--')).toEqual(failure('label starts or ends with a hyphen'))
    })

    it('prepareLabel: LDH labels stay, including other "--" in positions 3–4', () => {
      expect(prepareLabel('example')).toBe('example')
      expect(prepareLabel('a-b')).toBe('a-b')
      expect(prepareLabel('ab--cd')).toBe('ab--cd')
      expect(prepareLabel('123')).toBe('123')
      expect(prepareLabel('')).toEqual(failure('empty label'))
      expect(prepareLabel('-a')).toEqual(failure('label starts or ends with a hyphen'))
      expect(prepareLabel('a_b')).toEqual(failure('disallowed character U+005F'))
    })

    it('prepareLabel: U-label hyphen and mark rules (RFC 5891 §4.2.3.1, §4.2.3.2)', () => {
      expect(prepareLabel('-ü')).toEqual(failure('label starts or ends with a hyphen'))
      expect(prepareLabel('ü-')).toEqual(failure('label starts or ends with a hyphen'))
      expect(prepareLabel('ab--ü')).toEqual(failure('label has hyphens in positions 3 and 4'))
      expect(prepareLabel('\u0301a')).toEqual(failure('label starts with a combining mark'))
    })

    it('prepareLabel: agrees with the platform on what the A-label of a U-label is', () => {
      for (const u of ['bücher', 'faß', 'пример', '例え', 'テスト', 'ελληνικά', 'mañana', 'l·l']) {
        expect(prepareLabel(domainToASCII(u))).toBe(u)
      }
    })
  })

  describe('derived property (RFC 5892 §2–3, Appendix A)', () => {
    it.each([
      ['faß', 'Exceptions PVALID (§2.6): U+00DF'],
      ['ς', 'Exceptions PVALID (§2.6): U+03C2'],
      ['\u3007', 'Exceptions PVALID (§2.6): U+3007'],
      ['l·l', 'CONTEXTO MIDDLE DOT between two l (A.3)'],
      ['α\u0375β', 'CONTEXTO GREEK KERAIA before Greek (A.4)'],
      ['\u05d0\u05f3', 'CONTEXTO HEBREW GERESH after Hebrew (A.5)'],
      ['\u30fbカ', 'CONTEXTO KATAKANA MIDDLE DOT with kana (A.7)'],
      ['\u0661\u0662', 'CONTEXTO Arabic-Indic digits (A.8)'],
      ['\u06f1\u06f2', 'CONTEXTO extended Arabic-Indic digits (A.9)'],
      ['\u0915\u094d\u200d\u0937', 'CONTEXTJ ZWJ after a virama (A.2)'],
      ['\u0915\u094d\u200c\u0937', 'CONTEXTJ ZWNJ after a virama (A.1)'],
    ])('prepareLabel: %j is a U-label (%s)', (label) => {
      expect(prepareLabel(label)).toBe(label)
    })

    it.each([
      ['Ü', 'Unstable (§2.2): changes under NFKC_Casefold', 0xdc],
      ['a\u00ad', 'IgnorableProperties (§2.3)', 0xad],
      ['a\u20d0', 'IgnorableBlocks (§2.4)', 0x20d0],
      ['\u0640a', 'Exceptions DISALLOWED (§2.6)', 0x640],
      ['a\u1100', 'OldHangulJamo (§2.9)', 0x1100],
      ['a\u0378', 'Unassigned (§2.10)', 0x378],
      ['💩', 'not LetterDigits (§2.1)', 0x1f4a9],
      ['a\u2488', 'Unstable (§2.2): a compatibility character', 0x2488],
      ['a·b', 'CONTEXTO MIDDLE DOT elsewhere (A.3)', 0xb7],
      ['\u0375a', 'CONTEXTO GREEK KERAIA before Latin (A.4)', 0x375],
      ['a\u05f3', 'CONTEXTO HEBREW GERESH after Latin (A.5)', 0x5f3],
      ['\u30fba', 'CONTEXTO KATAKANA MIDDLE DOT without kana or han (A.7)', 0x30fb],
      ['\u0661\u06f2', 'CONTEXTO Arabic-Indic mixed with extended (A.8)', 0x661],
      ['a\u200db', 'CONTEXTJ ZWJ without a virama (A.2)', 0x200d],
    ])('prepareLabel: %j is not a U-label (%s)', (label, _why, cp) => {
      const name = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
      expect(prepareLabel(label)).toEqual(failure(`disallowed code point ${name}`))
    })
  })

  describe('utils', () => {
    it('codePoints: astral characters are one code point, lone surrogates are their own', () => {
      expect(codePoints('a😀b')).toEqual([0x61, 0x1f600, 0x62])
      expect(codePoints('a\ud800')).toEqual([0x61, 0xd800])
      expect(codePoints('')).toEqual([])
    })
  })
})
