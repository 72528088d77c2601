/**
 * `internal/xmlTree`: fast-xml-parser's tree to `XmlElement`s, with namespace resolution
 * (Namespaces in XML 1.0) and the faults `Xml.parse` turns into offsets. Trees come from
 * fast-xml-parser with the options that ship (`internal/fxp.ts`), on input the pre-scan accepts;
 * `spec/Xml.spec.ts` covers the whole of `parse`.
 */
import { describe, expect, it } from '@jest/globals'
import { type X2jOptions, XMLParser } from 'fast-xml-parser'
import { fxpOptions } from '../../src/internal/fxp.js'
import {
  type BuildContext,
  build,
  type FxpNode,
  NamespaceFault,
  nodeKey,
  nullRecord,
  type TreeElement,
} from '../../src/internal/xmlTree.js'
import type { XmlElement } from '../../src/Xml.js'

const parser = new XMLParser({ ...fxpOptions, maxNestedTags: 31 } as X2jOptions)

const rootOf = (xml: string): FxpNode => {
  const tree = parser.parse(xml) as ReadonlyArray<FxpNode>
  const root = tree.find((n) => !('#text' in n))
  if (root === undefined) throw new Error('no root')
  return root
}

const context = (decode = true): BuildContext => ({ k: 0, attrs: decode, text: decode })

// `build`'s element type is `Xml.XmlElement` spelled again (an internal leaf cannot import it):
// each must stay assignable to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameShape: Same<TreeElement, XmlElement> = true

const tree = (xml: string, dflt = 'jabber:client', ctx = context()): XmlElement => {
  const root = rootOf(xml)
  return build(root, nodeKey(root), { dflt, prefixes: undefined, parent: undefined }, ctx)
}

/** The fault `build` throws on `xml`, or a failed expectation. */
const fault = (xml: string): NamespaceFault => {
  try {
    tree(xml)
  } catch (e) {
    expect(e).toBeInstanceOf(NamespaceFault)
    return e as NamespaceFault
  }
  throw new Error(`expected a NamespaceFault on ${xml}`)
}

describe('internal/xmlTree', () => {
  it('TreeElement: the shape of Xml.XmlElement', () => {
    expect(sameShape).toBe(true)
  })

  it('nullRecord: an empty record with no prototype', () => {
    const r = nullRecord()
    expect(Object.getPrototypeOf(r)).toBeNull()
    expect(Object.keys(r)).toEqual([])
    expect('toString' in r).toBe(false)
  })

  it('nodeKey: `#text`, `#cdata` or the tag, whatever the place of the attributes', () => {
    expect(nodeKey({ '#text': 'x' })).toBe('#text')
    expect(nodeKey({ '#cdata': [] })).toBe('#cdata')
    expect(nodeKey({ a: [], ':@': { '@_b': '1' } })).toBe('a')
    expect(nodeKey({ ':@': { '@_b': '1' }, a: [] })).toBe('a')
    expect(nodeKey({})).toBe('')
  })

  describe('build', () => {
    it('resolves default and prefixed namespaces; the root takes the outer default', () => {
      const el = tree("<iq><q xmlns='urn:q'><p:x xmlns:p='urn:p'><y/></p:x></q><z/></iq>")
      expect(el).toMatchObject({ name: 'iq', ns: 'jabber:client' })
      const q = el.children[0] as XmlElement
      expect(q).toMatchObject({ name: 'q', ns: 'urn:q', attrs: {} })
      const x = q.children[0] as XmlElement
      expect(x).toMatchObject({ name: 'x', ns: 'urn:p', attrs: {} })
      expect(x.children[0]).toMatchObject({ name: 'y', ns: 'urn:q' })
      expect(el.children[1]).toMatchObject({ name: 'z', ns: 'jabber:client' })
      expect(tree('<a/>', '').ns).toBe('')
    })

    it('keys attributes by expanded name: plain, `xml:` and `{uri}local`; declarations are dropped', () => {
      const el = tree("<a xmlns='urn:a' xmlns:p='urn:p' b='1' xml:lang='en' p:c='2'/>")
      expect({ ...el.attrs }).toEqual({ b: '1', 'xml:lang': 'en', '{urn:p}c': '2' })
      expect(Object.getPrototypeOf(el.attrs)).toBeNull()
    })

    it('resolves a prefixed attribute against a declaration after it on the same element', () => {
      expect({ ...tree("<a p:x='1' y='2' xmlns:p='urn:p'/>").attrs }).toEqual({
        '{urn:p}x': '1',
        y: '2',
      })
    })

    it('binds the xml prefix everywhere, and may declare it only to its own namespace', () => {
      const el = tree(
        "<a xmlns:xml='http://www.w3.org/XML/1998/namespace'><xml:b xml:space='preserve'/></a>",
      )
      expect(el.children[0]).toMatchObject({
        name: 'b',
        ns: 'http://www.w3.org/XML/1998/namespace',
        attrs: { 'xml:space': 'preserve' },
      })
    })

    it('drops attributes whose local name the JS object model owns', () => {
      const node: FxpNode = {
        a: [],
        ':@': { '@_constructor': 'x', '@_p:toString': 'y', '@_id': '1' },
      }
      const ctx = context()
      const scope = { dflt: '', prefixes: new Map([['p', 'urn:p']]), parent: undefined }
      expect({ ...build(node, 'a', scope, ctx).attrs }).toEqual({ id: '1' })
    })

    it('merges text and CDATA runs into one child, and decodes references as the context says', () => {
      expect(tree('<a>x &lt; <![CDATA[&lt;]]>y<b/> &#65;</a>').children).toEqual([
        'x < &lt;y',
        { name: 'b', ns: 'jabber:client', attrs: {}, children: [] },
        ' A',
      ])
      expect(tree("<a v='&amp;&#9;'>&amp;</a>").attrs.v).toBe('&\t')
      // The scan found nothing to decode: values are taken as they are.
      const raw = tree("<a v='&amp;'>&amp;</a>", '', context(false))
      expect(raw.attrs.v).toBe('&amp;')
      expect(raw.children).toEqual(['&amp;'])
    })

    it('counts elements in document order in the context', () => {
      const ctx = context()
      tree('<a><b><c/></b><d/></a>', '', ctx)
      expect(ctx.k).toBe(4)
    })

    it('faults with the index of the element in document order', () => {
      expect(fault('<a><b/><p:c/></a>')).toMatchObject({
        element: 2,
        message: 'undeclared prefix "p"',
      })
      expect(fault("<a><b p:x='1'/></a>").element).toBe(1)
    })

    it.each([
      ["<a xmlns='http://www.w3.org/XML/1998/namespace'/>", /default namespace/],
      ["<a xmlns:p='http://www.w3.org/2000/xmlns/'/>", /xmlns namespace/],
      ["<a xmlns:xmlns='urn:x'/>", /xmlns prefix cannot be declared/],
      ["<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>", /xml prefix and namespace/],
      ["<a xmlns:xml='urn:x'/>", /xml prefix and namespace/],
      ["<a xmlns:p=''/>", /cannot be undeclared/],
      ["<a xmlns:p:q='urn:x'/>", /not a qualified name/],
      ['<xmlns:a/>', /xmlns prefix/],
      ["<p:-a xmlns:p='urn:p'/>", /not a qualified name/],
      ["<a xmlns:p='urn:p' p:b:c='1'/>", /not a qualified name/],
      ["<a xmlns:p='urn:x' xmlns:q='urn:x' p:b='1' q:b='2'/>", /duplicate once expanded/],
    ])('faults on %s', (xml, message) => {
      expect(fault(xml).message).toMatch(message)
    })
  })
})
