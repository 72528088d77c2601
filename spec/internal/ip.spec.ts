import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { formatIPv6, isIPv4, parseIPv6 } from '../../src/internal/ip.js'

/** Parse, then write in RFC 5952 form; `undefined` if the text is not an IPv6 address. */
const canonical = (s: string): string | undefined => {
  const groups = parseIPv6(s)
  return groups === undefined ? undefined : formatIPv6(groups)
}

const group: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
)
const address: fc.Arbitrary<ReadonlyArray<number>> = fc.array(group, {
  minLength: 8,
  maxLength: 8,
})

describe('internal/ip', () => {
  describe('IPv4 (RFC 3986 §3.2.2)', () => {
    it.each(['192.0.2.1', '0.0.0.0', '255.255.255.255', '10.0.0.10', '1.2.3.4'])(
      'isIPv4: %j is a dotted quad',
      (s) => {
        expect(isIPv4(s)).toBe(true)
      },
    )

    it.each([
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1..2.3',
      '1.2.3.4.',
      ' 1.2.3.4',
      '1.2.3.-4',
      '',
    ])('isIPv4: %j is not (four dec-octets 0–255, no leading zeros)', (s) => {
      expect(isIPv4(s)).toBe(false)
    })
  })

  describe('IPv6 text forms (RFC 4291 §2.2)', () => {
    // RFC 4291 §2.2: the preferred form, the compressed form and the mixed form.
    it.each([
      [
        'ABCD:EF01:2345:6789:ABCD:EF01:2345:6789',
        [0xabcd, 0xef01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789],
      ],
      ['2001:DB8:0:0:8:800:200C:417A', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
      ['2001:DB8::8:800:200C:417A', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
      ['FF01:0:0:0:0:0:0:101', [0xff01, 0, 0, 0, 0, 0, 0, 0x101]],
      ['FF01::101', [0xff01, 0, 0, 0, 0, 0, 0, 0x101]],
      ['0:0:0:0:0:0:0:1', [0, 0, 0, 0, 0, 0, 0, 1]],
      ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
      ['0:0:0:0:0:0:0:0', [0, 0, 0, 0, 0, 0, 0, 0]],
      ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
      ['0:0:0:0:0:0:13.1.68.3', [0, 0, 0, 0, 0, 0, 0x0d01, 0x4403]],
      ['::13.1.68.3', [0, 0, 0, 0, 0, 0, 0x0d01, 0x4403]],
      ['0:0:0:0:0:FFFF:129.144.52.38', [0, 0, 0, 0, 0, 0xffff, 0x8190, 0x3426]],
      ['::FFFF:129.144.52.38', [0, 0, 0, 0, 0, 0xffff, 0x8190, 0x3426]],
    ])('parseIPv6: %j', (text, groups) => {
      expect(parseIPv6(text)).toEqual(groups)
    })

    it.each([
      ['', 'empty'],
      [':::', 'three colons'],
      ['1::2::3', 'two "::"'],
      ['1:2:3:4:5:6:7:8:9', 'nine groups'],
      ['1:2:3:4:5:6:7', 'seven groups'],
      ['1:2:3:4:5:6:7:8::', '"::" standing for no group'],
      ['12345::', 'a group of five digits'],
      ['g::', 'a letter that is not hex'],
      ['fe80::1%eth0', 'a zone identifier (not in an RFC 3986 IP-literal)'],
      ['::1.2.3', 'a short IPv4 tail'],
      ['::01.2.3.4', 'an IPv4 tail with a leading zero'],
      ['1.2.3.4::', 'IPv4 before "::"'],
      ['1.2.3.4', 'IPv4 alone'],
      ['v1.x', 'IPvFuture'],
    ])('parseIPv6: %j is rejected (%s)', (text) => {
      expect(parseIPv6(text)).toBeUndefined()
    })
  })

  describe('canonical text (RFC 5952 §4, §5)', () => {
    // RFC 5952 §1: eight spellings of one address, and the one form §4 allows.
    it.each([
      '2001:db8:0:0:1:0:0:1',
      '2001:0db8:0:0:1:0:0:1',
      '2001:db8::1:0:0:1',
      '2001:db8::0:1:0:0:1',
      '2001:0db8::1:0:0:1',
      '2001:db8:0:0:1::1',
      '2001:db8:0000:0:1::1',
      '2001:DB8:0:0:1::1',
    ])('formatIPv6: %j is written 2001:db8::1:0:0:1 (RFC 5952 §1)', (text) => {
      expect(canonical(text)).toBe('2001:db8::1:0:0:1')
    })

    it.each([
      // §4.1: leading zeros suppressed; a 16-bit 0000 field is written 0.
      ['2001:0db8::0001', '2001:db8::1', '§4.1'],
      [
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1',
        '§4.1 (§2.1)',
      ],
      [
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:001',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1',
        '§4.1 (§2.1)',
      ],
      [
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:01',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1',
        '§4.1 (§2.1)',
      ],
      ['2001:db8:0000:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', '§4.1'],
      // §4.2.1: "::" shortens as much as possible.
      ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1', '§4.2.1'],
      ['2001:db8::0:1', '2001:db8::1', '§4.2.1'],
      ['2001:db8:0:0:0::1', '2001:db8::1', '§4.2.1 (§2.2)'],
      ['2001:db8:0:0::1', '2001:db8::1', '§4.2.1 (§2.2)'],
      ['2001:db8:0::1', '2001:db8::1', '§4.2.1 (§2.2)'],
      // §4.2.2: no "::" for a single 16-bit 0 field.
      ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1', '§4.2.2'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', '§4.2.2'],
      ['2001:db8:aaaa:bbbb:cccc:dddd::1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1', '§4.2.2 (§2.2)'],
      // §4.2.3: the longest run, and the first of equal runs.
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', '§4.2.3'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', '§4.2.3'],
      ['2001:db8:0:0:aaaa::1', '2001:db8::aaaa:0:0:1', '§4.2.3 (§2.2)'],
      // §4.3: lowercase.
      [
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:AAAA',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa',
        '§4.3 (§2.3)',
      ],
      [
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:AaAa',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa',
        '§4.3 (§2.3)',
      ],
      ['2001:DB8::8:800:200C:417A', '2001:db8::8:800:200c:417a', '§4.3'],
      // §5: IPv4-mapped addresses in mixed notation, the hexadecimal part per §4.
      ['0:0:0:0:0:ffff:192.0.2.1', '::ffff:192.0.2.1', '§5'],
      ['::FFFF:c000:0201', '::ffff:192.0.2.1', '§5'],
      // Mixed notation is kept to the IPv4-mapped prefix (RFC 4291 §2.5.5.2).
      ['::13.1.68.3', '::d01:4403', '§5'],
      ['64:ff9b::192.0.2.1', '64:ff9b::c000:201', '§5'],
      // Runs at either end.
      ['0:0:0:0:0:0:0:0', '::', '§4.2.1'],
      ['0:0:0:0:0:0:0:1', '::1', '§4.2.1'],
      ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::', '§4.2.3'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', '§4.2.2'],
    ])('formatIPv6: %j is written %j (RFC 5952 %s)', (text, expected) => {
      expect(canonical(text)).toBe(expected)
    })

    it('formatIPv6: the canonical text parses back to the same groups and is its own canonical form', () => {
      fc.assert(
        fc.property(address, (groups) => {
          const text = formatIPv6(groups)
          expect(parseIPv6(text)).toEqual(groups)
          expect(canonical(text)).toBe(text)
          expect(text).toMatch(/^[0-9a-f:.]+$/)
          expect(text).not.toMatch(/(^|:)0[0-9a-f]/)
        }),
        { numRuns: 2000 },
      )
    })
  })
})
