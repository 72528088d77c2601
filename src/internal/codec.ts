/**
 * io-ts codecs over hand-written decoders. The rules of RFC 6120/6121 are checked by plain
 * functions that collect every problem with its path (io-ts combinators would validate a shaped
 * record 7–15× slower than the parse itself, PERF.md); io-ts is the public face, so codecs
 * compose with the rest of a user's io-ts code.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as DecodeError from '../DecodeError.js'
import type { XmlElement } from '../Xml.js'

/** Is `u` shaped like an `XmlElement`? (Shallow: children are checked as they are decoded.) */
export const isXmlElement = (u: unknown): u is XmlElement => {
  if (typeof u !== 'object' || u === null) return false
  const r = u as Record<string, unknown>
  return (
    typeof r.name === 'string' &&
    typeof r.ns === 'string' &&
    typeof r.attrs === 'object' &&
    r.attrs !== null &&
    Array.isArray(r.children)
  )
}

/** An io-ts codec `XmlElement ⇄ A` from a decoder and a total encoder. */
export const fromDecoder = <A>(
  name: string,
  is: (u: unknown) => u is A,
  decode: (el: XmlElement) => E.Either<DecodeError.DecodeError, A>,
  encode: (a: A) => XmlElement,
): t.Type<A, XmlElement, unknown> =>
  new t.Type<A, XmlElement, unknown>(
    name,
    is,
    (u, c) => {
      if (!isXmlElement(u)) return t.failure(u, c, 'expected an XmlElement')
      const r = decode(u)
      return E.isRight(r) ? t.success(r.right) : E.left(DecodeError.toErrors(r.left, u, c))
    },
    encode,
  )
