/**
 * io-ts codecs over hand-written decoders. The rules of RFC 6120/6121 are checked by plain
 * functions that collect every problem with its path (io-ts combinators would validate a shaped
 * record 7–15× slower than the parse itself, docs/performance.md); io-ts is the public face, so codecs
 * compose with the rest of a user's io-ts code.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as DecodeError from '../DecodeError.js'
import type { XmlElement } from '../Xml.js'

/**
 * Is `u` a whole `XmlElement` tree: names and namespaces strings, attribute values strings,
 * children strings or elements, all the way down? Codecs take `unknown`, so a malformed child
 * must give a `Left`, not a `TypeError` or a `Right` carrying junk. The depth bound also stops
 * cyclic objects.
 */
export const isXmlElement = (u: unknown, depth = 0): u is XmlElement => {
  if (typeof u !== 'object' || u === null || depth > maxTreeDepth) return false
  const r = u as Record<string, unknown>
  const { attrs, children } = r
  if (typeof r.name !== 'string' || typeof r.ns !== 'string') return false
  if (typeof attrs !== 'object' || attrs === null || !Array.isArray(children)) return false
  for (const key of Object.keys(attrs))
    if (typeof (attrs as Record<string, unknown>)[key] !== 'string') return false
  for (const child of children as ReadonlyArray<unknown>)
    if (typeof child !== 'string' && !isXmlElement(child, depth + 1)) return false
  return true
}

// Far above the parser's default depth limit (32), so any tree `Xml.parse` can return passes.
const maxTreeDepth = 1024

/**
 * An io-ts codec `XmlElement ⇄ A` that also keeps its decoder, so a codec embedded in another
 * element (XEP-0297) can report problems with their paths instead of io-ts messages.
 */
export class ElementCodec<A> extends t.Type<A, XmlElement, unknown> {
  constructor(
    name: string,
    is: (u: unknown) => u is A,
    readonly decodeElement: (el: XmlElement) => E.Either<DecodeError.DecodeError, A>,
    encode: (a: A) => XmlElement,
  ) {
    super(
      name,
      is,
      (u, c) => {
        if (!isXmlElement(u)) return t.failure(u, c, 'expected an XmlElement')
        const r = decodeElement(u)
        return E.isRight(r) ? t.success(r.right) : E.left(DecodeError.toErrors(r.left, u, c))
      },
      encode,
    )
  }
}

/** An io-ts codec `XmlElement ⇄ A` from a decoder and a total encoder. */
export const fromDecoder = <A>(
  name: string,
  is: (u: unknown) => u is A,
  decode: (el: XmlElement) => E.Either<DecodeError.DecodeError, A>,
  encode: (a: A) => XmlElement,
): t.Type<A, XmlElement, unknown> => new ElementCodec(name, is, decode, encode)
