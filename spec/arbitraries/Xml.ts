/** fast-check generators for XML trees, including hostile text and attribute values. */
import fc from 'fast-check'
import { toXmlText } from '../../src/internal/chars.js'
import * as Xml from '../../src/Xml.js'

/** Local names: plain ASCII, with dots and dashes, and non-ASCII name characters. */
export const name: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('a', 'body', 'query', 'x-y', 'item.z', '_u', 'é', 'ns0', 'café', '𐀀z'),
  fc.stringMatching(/^[a-z_][a-z0-9._-]{0,8}$/),
)

export const ns: fc.Arbitrary<string> = fc.constantFrom(
  '',
  'jabber:client',
  'urn:xmpp:ping',
  'http://jabber.org/protocol/disco#info',
  'urn:q\'uo"te&<>',
)

/** Text that stresses escaping: markup characters, `]]>`, CR/LF/TAB, emoji, astral planes. */
export const text: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom(']]>', '&amp;', '<x/>', '\'"', '\r\n', '\t', '😀', ' ', '\u0085', 'a\rb'),
  )
  .map(toXmlText)

const attrKey: fc.Arbitrary<string> = fc.oneof(
  name,
  fc.constant('xml:lang'),
  fc.constantFrom('{urn:attr}a', '{urn:other}a'),
)

export const attrs: fc.Arbitrary<Record<string, string>> = fc.dictionary(attrKey, text, {
  maxKeys: 4,
  noNullPrototype: true,
})

const { tree } = fc.letrec<{ tree: Xml.XmlElement; node: Xml.XmlNode }>((tie) => ({
  tree: fc
    .tuple(name, ns, attrs, fc.array(tie('node'), { maxLength: 4 }))
    .map(([n, u, a, c]) => Xml.element(n, u, a, c)),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, tie('tree')),
}))

/** Element trees in the normal form `Xml.parse` returns. */
export const element: fc.Arbitrary<Xml.XmlElement> = tree
