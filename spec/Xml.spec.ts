import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { XMLParser } from 'fast-xml-parser'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Xml from '../src/Xml.js'
import { element as arbElement, text as arbText } from './arbitraries/Xml.js'

const ok = (input: string | Uint8Array, options?: Xml.ParseOptions): Xml.XmlElement => {
  const r = Xml.parse(input, options)
  if (E.isLeft(r)) throw new Error(`expected Right, got ${JSON.stringify(r.left)}`)
  return r.right
}

const fault = (input: string | Uint8Array, options?: Xml.ParseOptions): Xml.XmlError => {
  const r = Xml.parse(input, options)
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`)
  return r.left
}

describe('Xml', () => {
  describe('parse', () => {
    it('parse: resolves default and prefixed namespaces; the root inherits the content namespace', () => {
      const el = ok(
        "<iq type='get' id='1'><query xmlns='jabber:iq:roster'><p:x xmlns:p='urn:p' p:a='1' b='2'/></query></iq>",
      )
      expect(el.ns).toBe('jabber:client')
      const query = el.children[0] as Xml.XmlElement
      expect(query).toMatchObject({ name: 'query', ns: 'jabber:iq:roster' })
      const x = query.children[0] as Xml.XmlElement
      expect(x.name).toBe('x')
      expect(x.ns).toBe('urn:p')
      expect({ ...x.attrs }).toEqual({ '{urn:p}a': '1', b: '2' })
    })

    it('parse: the content namespace is configurable, and null leaves the root unqualified', () => {
      expect(ok('<message/>', { ns: 'jabber:server' }).ns).toBe('jabber:server')
      expect(ok('<message/>', { ns: null }).ns).toBe('')
      expect(ok("<message xmlns=''/>").ns).toBe('')
    })

    it('parse: decodes the five entities, character references and CDATA, merging text', () => {
      const el = ok('<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;<![CDATA[<b>&amp;]]>x</a>')
      expect(el.children).toEqual(['<>&"\'A😀<b>&amp;x'])
    })

    it('parse: normalizes attribute whitespace (XML 1.0 §3.3.3) but keeps references', () => {
      const el = ok("<a v='x\ty\nz\r\nw&#9;&#10;&#13;'/>")
      expect(el.attrs.v).toBe('x y z w\t\n\r')
    })

    it('parse: normalizes line ends in text (XML 1.0 §2.11) and keeps &#13;', () => {
      expect(ok('<a>1\r\n2\r3&#13;</a>').children).toEqual(['1\n2\n3\r'])
    })

    it('parse: keeps whitespace text between children, and xml:lang by that name', () => {
      const el = ok("<a xml:lang='en'> <b/>\n</a>")
      expect(el.children).toEqual([' ', Xml.element('b', 'jabber:client'), '\n'])
      expect(el.attrs['xml:lang']).toBe('en')
    })

    it('parse: attribute records have no prototype, and prototype names are dropped', () => {
      const el = ok("<a __proto__='x' constructor='y' toString='z' keep='1'/>")
      expect(Object.getPrototypeOf(el.attrs)).toBeNull()
      expect(Object.keys(el.attrs)).toEqual(['keep'])
      expect(({} as Record<string, unknown>).x).toBeUndefined()
    })

    it('parse: accepts bytes as UTF-8', () => {
      expect(ok(new TextEncoder().encode('<a>é😀</a>')).children).toEqual(['é😀'])
    })

    it('parse: accepts C1 controls, which are XML 1.0 characters', () => {
      expect(ok('<a>\u0085\u009f</a>').children).toEqual(['\u0085\u009f'])
    })
  })

  describe('parse: rejections (docs/security.md §2)', () => {
    const table: ReadonlyArray<[string, string, Xml.XmlCondition]> = [
      ['mismatched tags', '<a><b></a></b>', 'not-well-formed'],
      ['unclosed element', '<a><b/>', 'not-well-formed'],
      ['stray end tag', '<a/></b>', 'not-well-formed'],
      ['end tag with attributes', "<a></a x='1'>", 'not-well-formed'],
      ['truncated start tag', '<a', 'not-well-formed'],
      ['truncated attribute', "<a b='1", 'not-well-formed'],
      ['two roots', '<a/><b/>', 'not-well-formed'],
      ['text before the root', 'x<a/>', 'not-well-formed'],
      ['text after the root', '<a/>x', 'not-well-formed'],
      ['unquoted attribute', '<a b=1/>', 'not-well-formed'],
      ['valueless attribute', '<a b/>', 'not-well-formed'],
      ['unseparated attributes', "<a b='1'c='2'/>", 'not-well-formed'],
      ['duplicate attribute', "<a b='1' b='2'/>", 'not-well-formed'],
      ['raw < in attribute', "<a b='<'/>", 'not-well-formed'],
      ['raw < in text', '<a>1 < 2</a>', 'not-well-formed'],
      ['bare &', '<a>fish & chips</a>', 'not-well-formed'],
      ['& without ;', '<a>&amp</a>', 'not-well-formed'],
      ['empty character reference', '<a>&#;</a>', 'not-well-formed'],
      ['bad hex reference', '<a>&#xZZ;</a>', 'not-well-formed'],
      [']]> in text', '<a>]]></a>', 'not-well-formed'],
      ['unterminated CDATA', '<a><![CDATA[x</a>', 'not-well-formed'],
      ['invalid element name', '<1a/>', 'not-well-formed'],
      ['NUL literal', '<a>\u0000</a>', 'not-well-formed'],
      ['C0 control literal', '<a>\u0001</a>', 'not-well-formed'],
      ['C0 control in attribute', "<a b='\u001f'/>", 'not-well-formed'],
      ['lone high surrogate', '<a>\ud800</a>', 'not-well-formed'],
      ['lone low surrogate', '<a>\udc00</a>', 'not-well-formed'],
      ['U+FFFE literal', '<a>\ufffe</a>', 'not-well-formed'],
      ['U+FFFF literal', '<a>\uffff</a>', 'not-well-formed'],
      ['NUL reference', '<a>&#0;</a>', 'not-well-formed'],
      ['C0 reference', '<a>&#x1;</a>', 'not-well-formed'],
      ['surrogate reference', '<a>&#xD800;</a>', 'not-well-formed'],
      ['U+FFFE reference', '<a>&#xFFFE;</a>', 'not-well-formed'],
      ['beyond U+10FFFF', '<a>&#x110000;</a>', 'not-well-formed'],
      ['huge reference', `<a>&#${'9'.repeat(10000)};</a>`, 'not-well-formed'],
      ['leading U+FEFF', '\ufeff<a/>', 'not-well-formed'],
      ['empty input', '', 'not-well-formed'],
      ['undeclared element prefix', '<p:a/>', 'not-well-formed'],
      ['undeclared attribute prefix', "<a p:b='1'/>", 'not-well-formed'],
      ['undeclaring a prefix', "<a xmlns:p=''/>", 'not-well-formed'],
      ['rebinding xml', "<a xmlns:xml='urn:x'/>", 'not-well-formed'],
      ['binding xmlns', "<a xmlns:xmlns='urn:x'/>", 'not-well-formed'],
      [
        'another prefix on the xml namespace',
        "<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
        'not-well-formed',
      ],
      [
        'default namespace = xmlns namespace',
        "<a xmlns='http://www.w3.org/2000/xmlns/'/>",
        'not-well-formed',
      ],
      ['two colons in a name', "<a xmlns:p='u'><p:b:c/></a>", 'not-well-formed'],
      ['empty local part', "<a xmlns:p='u'><p:/></a>", 'not-well-formed'],
      ['local part not a name start', "<a xmlns:p='u'><p:-x/></a>", 'not-well-formed'],
      ['attribute local part not a name start', "<a xmlns:p='u' p:.b='1'/>", 'not-well-formed'],
      ['xml: attribute local part not a name start', "<a xml:-lang='en'/>", 'not-well-formed'],
      ['declared prefix not a name start', "<a xmlns:-p='u'/>", 'not-well-formed'],
      ['element with the xmlns prefix', '<xmlns:a/>', 'not-well-formed'],
      [
        'duplicate expanded attribute',
        "<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>",
        'not-well-formed',
      ],
      ['comment', '<a><!-- hi --></a>', 'restricted-xml'],
      ['processing instruction', '<a><?pi x?></a>', 'restricted-xml'],
      ['XML declaration', "<?xml version='1.0'?><a/>", 'restricted-xml'],
      ['XML declaration inside', "<a><?xml version='1.0'?></a>", 'restricted-xml'],
      ['DOCTYPE', '<!DOCTYPE a><a/>', 'restricted-xml'],
      ['entity declaration', "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", 'restricted-xml'],
      [
        'external entity',
        "<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>",
        'restricted-xml',
      ],
      ['markup declaration inside', '<a><!ELEMENT a ANY></a>', 'restricted-xml'],
      ['undefined entity', '<a>&nbsp;</a>', 'restricted-xml'],
      ['undefined entity in attribute', "<a b='&x;'/>", 'restricted-xml'],
      ['__proto__ element', '<__proto__/>', 'bad-format'],
      ['constructor element', '<a><constructor/></a>', 'bad-format'],
      ['prototype element', '<prototype/>', 'bad-format'],
      ['hasOwnProperty element', '<a><hasOwnProperty/></a>', 'bad-format'],
      ['prefixed __proto__ element', "<a xmlns:p='u'><p:__proto__/></a>", 'bad-format'],
      // Legal XML name characters that fast-xml-parser splits names on (JavaScript's \s).
      ['U+FEFF inside an attribute name', "<a b\ufeffc='1'/>", 'bad-format'],
      ['U+1680 inside an element name', '<a><b\u1680c/></a>', 'bad-format'],
    ]
    it.each(table)('parse: %s → %s', (_label, input, condition) => {
      const e = fault(input)
      expect(e._tag).toBe('XmlError')
      expect(e.condition).toBe(condition)
      expect(e.message.length).toBeLessThanOrEqual(200)
    })

    it('parse: whitespace-only input is not-well-formed with reason not-a-stanza', () => {
      expect(fault(' \n\t ')).toMatchObject({
        condition: 'not-well-formed',
        reason: 'not-a-stanza',
      })
    })

    it('parse: prototype names carry reason unprocessable-name and pollute nothing', () => {
      expect(fault('<a><__proto__><polluted/></__proto__></a>')).toMatchObject({
        reason: 'unprocessable-name',
      })
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('parse: reports where the fault is', () => {
      expect(fault('<a><b></c></a>').offset).toBe(6)
      expect(fault("<a><b xmlns:p='u'/><p:c/></a>").offset).toBe(19)
    })

    it('parse: messages are bounded and do not echo long input', () => {
      const long = 'x'.repeat(5000)
      const e = fault(`<a><${long}></${long}y></a>`, { limits: { maxNameLength: 10_000 } })
      expect(e.message.length).toBeLessThan(200)
    })
  })

  describe('parse: encodings', () => {
    it.each([
      ['UTF-16 BE BOM', [0xfe, 0xff, 0x00, 0x3c]],
      ['UTF-16 LE BOM', [0xff, 0xfe, 0x3c, 0x00]],
      ['UTF-16 LE without BOM', [0x3c, 0x00, 0x61, 0x00]],
      ['UTF-32 BE BOM', [0x00, 0x00, 0xfe, 0xff]],
      ['UTF-32 LE', [0x3c, 0x00, 0x00, 0x00]],
    ])('parse: %s is unsupported-encoding', (_label, bytes) => {
      expect(fault(new Uint8Array(bytes)).condition).toBe('unsupported-encoding')
    })

    it.each([
      ['UTF-16 BE white space first', [0x00, 0x20, 0x00, 0x3c], 'UTF-16'],
      ['a lone 0xFF first', [0xff, 0x3c, 0x61, 0x2f, 0x3e], 'UTF-16'],
      ['UTF-32 BE white space first', [0x00, 0x00, 0x00, 0x20], 'UTF-32'],
    ])('parse: %s is unsupported-encoding, as the stream framer decides it', (_l, bytes, label) => {
      expect(fault(new Uint8Array(bytes))).toMatchObject({
        condition: 'unsupported-encoding',
        offset: 0,
        message: `${label} input; XMPP is UTF-8 (RFC 6120 §11.6)`,
      })
    })

    it.each([
      ['a stray continuation byte', [0x3c, 0x61, 0x3e, 0x80, 0x3c, 0x2f, 0x61, 0x3e], 3],
      ['an overlong encoding', [0x3c, 0x61, 0x3e, 0xc0, 0xaf, 0x3c, 0x2f, 0x61, 0x3e], 3],
      ['an encoded surrogate', [0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x61, 0x3e], 3],
      ['a truncated sequence', [0x3c, 0x61, 0x3e, 0xe2, 0x82], 3],
      ['0xFF', [0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e], 3],
    ])('parse: %s is not-well-formed, never U+FFFD', (_label, bytes, offset) => {
      expect(fault(new Uint8Array(bytes))).toMatchObject({ condition: 'not-well-formed', offset })
    })

    it('parse: a UTF-8 byte order mark is rejected as a leading U+FEFF', () => {
      expect(fault(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e])).condition).toBe(
        'not-well-formed',
      )
    })
  })

  describe('parse: limits (docs/security.md §3)', () => {
    const nest = (depth: number): string => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`
    const siblings = (count: number): string => `<r>${'<b/>'.repeat(count - 1)}</r>`
    const withAttrs = (count: number): string =>
      `<a ${Array.from({ length: count }, (_, i) => `a${i}='v'`).join(' ')}/>`

    it('parse: depth 32 passes, 33 is policy-violation', () => {
      expect(E.isRight(Xml.parse(nest(32)))).toBe(true)
      expect(fault(nest(33)).condition).toBe('policy-violation')
    })

    it('parse: 10,000 elements pass, 10,001 is policy-violation', () => {
      expect(E.isRight(Xml.parse(siblings(10_000)))).toBe(true)
      expect(fault(siblings(10_001)).condition).toBe('policy-violation')
    })

    it('parse: 64 attributes pass, 65 is policy-violation', () => {
      expect(E.isRight(Xml.parse(withAttrs(64)))).toBe(true)
      expect(fault(withAttrs(65)).condition).toBe('policy-violation')
    })

    it('parse: a 256-character name passes, 257 is policy-violation', () => {
      const n = (len: number) => `a${'b'.repeat(len - 1)}`
      expect(E.isRight(Xml.parse(`<${n(256)}/>`))).toBe(true)
      expect(fault(`<${n(257)}/>`).condition).toBe('policy-violation')
      expect(fault(`<a ${n(257)}='1'/>`).condition).toBe('policy-violation')
    })

    it('parse: 262,144 UTF-8 bytes pass, one more is policy-violation (strings and bytes)', () => {
      const sized = (bytes: number) =>
        `<a>${'é'.repeat(Math.floor((bytes - 7) / 2))}${(bytes - 7) % 2 ? 'x' : ''}</a>`
      const exact = sized(262_144)
      const over = `${exact} `
      expect(Buffer.byteLength(exact)).toBe(262_144)
      expect(E.isRight(Xml.parse(exact))).toBe(true)
      expect(fault(over).condition).toBe('policy-violation')
      expect(E.isRight(Xml.parse(Buffer.from(exact)))).toBe(true)
      expect(fault(Buffer.from(over)).condition).toBe('policy-violation')
    })

    it('parse: every limit is configurable', () => {
      expect(fault(nest(3), { limits: { maxDepth: 2 } }).condition).toBe('policy-violation')
      expect(E.isRight(Xml.parse(nest(40), { limits: { maxDepth: 40 } }))).toBe(true)
      expect(fault(siblings(3), { limits: { maxElements: 2 } }).condition).toBe('policy-violation')
      expect(fault(withAttrs(2), { limits: { maxAttributes: 1 } }).condition).toBe(
        'policy-violation',
      )
      expect(fault('<abc/>', { limits: { maxNameLength: 2 } }).condition).toBe('policy-violation')
      expect(fault('<abc/>', { limits: { maxBytes: 5 } }).condition).toBe('policy-violation')
    })
  })

  describe('serialize', () => {
    it('serialize: declares the namespace only where it changes', () => {
      const el = Xml.element('iq', 'jabber:client', { type: 'get' }, [
        Xml.element('query', 'jabber:iq:roster', {}, [Xml.element('item', 'jabber:iq:roster')]),
        Xml.element('x', ''),
      ])
      expect(Xml.serialize(el)).toBe(
        "<iq xmlns='jabber:client' type='get'><query xmlns='jabber:iq:roster'><item/></query><x xmlns=''/></iq>",
      )
      expect(Xml.serialize(el, { parentNs: 'jabber:client' })).toMatch(/^<iq type='get'>/)
    })

    it('serialize: escapes text and attributes so that nothing is injected', () => {
      const el = Xml.element('a', '', { v: "'/><evil x='" }, ['</a><evil/>]]>&'])
      expect(Xml.serialize(el)).toBe(
        "<a xmlns='' v='&apos;/&gt;&lt;evil x=&apos;'>&lt;/a&gt;&lt;evil/&gt;]]&gt;&amp;</a>",
      )
    })

    it('serialize: writes characters outside XML 1.0 as U+FFFD', () => {
      const el: Xml.XmlElement = {
        name: 'a',
        ns: '',
        attrs: { v: '\u0000' },
        children: ['\ud800x\u0007'],
      }
      expect(Xml.serialize(el)).toBe("<a xmlns='' v='\ufffd'>\ufffdx\ufffd</a>")
    })

    it('serialize: leaves out names that are invalid, rather than writing them', () => {
      const el: Xml.XmlElement = {
        name: 'a',
        ns: '',
        attrs: { 'x><evil': '1', ok: '2', xmlns: 'urn:sneaky' },
        children: [{ name: 'b><evil', ns: '', attrs: {}, children: [] }, 'text'],
      }
      expect(Xml.serialize(el)).toBe("<a xmlns='' ok='2'>text</a>")
      expect(Xml.serialize({ ...el, name: 'x y' })).toBe('')
    })

    it('serialize: writes an element of the xml namespace with its prefix, losing nothing', () => {
      const el = ok("<a xmlns='urn:a'><xml:b><c/></xml:b></a>")
      const b = el.children[0] as Xml.XmlElement
      expect(b.ns).toBe(Xml.XML_NS)
      expect(Xml.serialize(el)).toBe("<a xmlns='urn:a'><xml:b><c/></xml:b></a>")
      expect(Xml.equals(ok(Xml.serialize(el)), el)).toBe(true)
    })

    it('serialize: writes {namespace}local attributes with a declared prefix', () => {
      const el = Xml.element('a', 'urn:a', { '{urn:b}x': '1', 'xml:lang': 'de' })
      const back = ok(Xml.serialize(el))
      expect({ ...back.attrs }).toEqual({ '{urn:b}x': '1', 'xml:lang': 'de' })
    })
  })

  describe('constructors', () => {
    it('element: rejects invalid names as programmer errors', () => {
      expect(() => Xml.element('a b', '')).toThrow(TypeError)
      expect(() => Xml.element('p:a', '')).toThrow(TypeError)
      expect(() => Xml.element('a', '', { 'x y': '1' })).toThrow(TypeError)
      expect(() => Xml.element('a', '', { xmlns: 'u' })).toThrow(TypeError)
      expect(() => Xml.element('a', 'http://www.w3.org/2000/xmlns/')).toThrow(TypeError)
    })

    it('element: merges adjacent text and drops empty text', () => {
      expect(Xml.element('a', '', {}, ['x', '', 'y', Xml.element('b', ''), '']).children).toEqual([
        'xy',
        Xml.element('b', ''),
      ])
    })
  })

  describe('getters', () => {
    const el = ok(
      "<a x='1'>t1<b xmlns='urn:b'>in</b><c/><b xmlns='urn:other'/>t2<b xmlns='urn:b'/></a>",
      { ns: null },
    )
    it('getChild: first match by name and namespace', () => {
      expect(Xml.getChild('b', 'urn:b')(el)).toEqual(O.some(el.children[1]))
      expect(Xml.getChild('b', 'urn:none')(el)).toEqual(O.none)
    })
    it('getChildren: filters by name and/or namespace', () => {
      expect(Xml.getChildren()(el)).toHaveLength(4)
      expect(Xml.getChildren('b')(el)).toHaveLength(3)
      expect(Xml.getChildren('b', 'urn:b')(el)).toHaveLength(2)
      expect(Xml.getChildren(undefined, '')(el)).toHaveLength(1)
    })
    it('getText: concatenates own text only', () => {
      expect(Xml.getText(el)).toBe('t1t2')
    })
    it('getAttr: own attributes only', () => {
      expect(Xml.getAttr('x')(el)).toEqual(O.some('1'))
      expect(Xml.getAttr('toString')(el)).toEqual(O.none)
    })
  })

  describe('properties', () => {
    it('parse ∘ serialize = id for generated trees (hostile text included)', () => {
      fc.assert(
        fc.property(arbElement, (el) => {
          const back = Xml.parse(Xml.serialize(el))
          return E.isRight(back) && Xml.equals(back.right, el)
        }),
        { numRuns: 1000 },
      )
    })

    it('serialize never throws and its output always parses, even for records with bad names', () => {
      const rogue = fc.record({
        name: fc.string({ maxLength: 4 }),
        ns: fc.string({ maxLength: 4 }),
        attrs: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })),
        children: fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), arbElement), {
          maxLength: 3,
        }),
      })
      fc.assert(
        fc.property(rogue, (el) => {
          const out = Xml.serialize(el)
          return out === '' || E.isRight(Xml.parse(out))
        }),
        { numRuns: 500 },
      )
    })

    it('parse never throws for arbitrary strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
          Xml.parse(s)
        }),
        { numRuns: 2000 },
      )
    })

    it('parse never throws for XML-like strings', () => {
      const token = fc.constantFrom(
        '<',
        '>',
        '/',
        '=',
        "'",
        '"',
        '&',
        ';',
        '#',
        'x',
        'a',
        ':',
        '!',
        '?',
        '[',
        ']',
        ' ',
        'xmlns',
        'CDATA',
        '--',
        '&#x',
      )
      fc.assert(
        fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
          Xml.parse(tokens.join(''))
        }),
        { numRuns: 3000 },
      )
    })

    it('parse never throws for arbitrary bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
          Xml.parse(b)
        }),
        { numRuns: 2000 },
      )
    })

    it('parse never throws for mutated valid XML, and agrees with fast-xml-parser on acceptance', () => {
      const validator = new XMLParser({ ignoreAttributes: false })
      fc.assert(
        fc.property(arbElement, fc.nat(), arbText, (el, at, insert) => {
          const s = Xml.serialize(el)
          const i = at % (s.length + 1)
          const mutated = s.slice(0, i) + insert + s.slice(i)
          const r = Xml.parse(mutated)
          // Whatever we accept, fast-xml-parser must be able to build (it is the tree builder).
          if (E.isRight(r)) validator.parse(mutated)
        }),
        { numRuns: 1000 },
      )
    })

    it('equals is reflexive and ignores attribute order', () => {
      fc.assert(
        fc.property(arbElement, (el) => {
          const reordered = { ...el, attrs: Object.fromEntries(Object.entries(el.attrs).reverse()) }
          return Xml.equals(el, el) && Xml.Eq.equals(el, reordered)
        }),
      )
    })
  })
})
