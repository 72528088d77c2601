/**
 * Octets before text: XMPP is UTF-8 only (RFC 6120 §11.6). One rule for spotting UTF-16 and
 * UTF-32 by a document's first octets (XML 1.0 App. F), the well-formed UTF-8 sequences of
 * Unicode Table 3-7, and one strict decoder, shared by `Xml.parse` (a whole input) and the stream
 * framer (chunks). Internal.
 *
 * @since 0.2.0
 */

// -------------------------------------------------------------------------------------
// UTF-16 and UTF-32
// -------------------------------------------------------------------------------------

/** An encoding XMPP forbids but a document can announce by its first octets. */
export type WideEncoding = 'UTF-16' | 'UTF-32'

/**
 * `'UTF-16'` or `'UTF-32'` when the first octets of a document (`b`, as many as have come) show
 * one of them (XML 1.0 App. F), else `undefined`. The test needs the first two octets, and fewer
 * decide what they can, so a stream is sniffed as it arrives: a NUL among them (a UTF-8 XML
 * document starts with neither U+0000 nor a character and then U+0000) or a first octet FE or FF
 * (half a byte order mark; neither is ever UTF-8). Which of the two needs four octets: UTF-32
 * when two NULs lead or trail them (App. F's UCS-4 patterns, byte order marks included), else
 * UTF-16.
 */
export const wideEncoding = (b: ArrayLike<number>): WideEncoding | undefined => {
  const b0 = b[0]
  const b1 = b[1]
  if (b0 !== 0x00 && b1 !== 0x00 && b0 !== 0xfe && b0 !== 0xff) return undefined
  return (b0 === 0x00 && b1 === 0x00) || (b[2] === 0x00 && b[3] === 0x00) ? 'UTF-32' : 'UTF-16'
}

// -------------------------------------------------------------------------------------
// UTF-8
// -------------------------------------------------------------------------------------

/**
 * Decodes complete UTF-8 (throws a `TypeError` on ill-formed input, never a silent U+FFFD);
 * keeps a leading U+FEFF, which the XML layer rejects (docs/security.md §1 stage 1). One decoder
 * for every call: without `stream: true` it keeps no state between calls.
 */
export const decodeUtf8 = (b: Uint8Array): string => utf8.decode(b)

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Length of the well-formed UTF-8 sequence at `k` (Unicode Table 3-7), or minus the length of
 * the maximal ill-formed subpart there (a sequence cut by the end of `b` is ill-formed).
 */
export const utf8SequenceAt = (b: Uint8Array, k: number): number => {
  const b0 = b[k] as number
  if (b0 < 0x80) return 1
  let n: number
  let lo = 0x80
  let hi = 0xbf
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3
    if (b0 === 0xe0) lo = 0xa0
    else if (b0 === 0xed) hi = 0x9f
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4
    if (b0 === 0xf0) lo = 0x90
    else if (b0 === 0xf4) hi = 0x8f
  } else return -1
  for (let j = 1; j < n; j++) {
    const c = b[k + j]
    if (c === undefined || c < lo || c > hi) return -j
    lo = 0x80
    hi = 0xbf
  }
  return n
}

/** Offset of the first octet that starts an ill-formed UTF-8 sequence, or `b.length` if none. */
export const invalidUtf8At = (b: Uint8Array): number => {
  let k = 0
  while (k < b.length) {
    const n = utf8SequenceAt(b, k)
    if (n < 0) return k
    k += n
  }
  return k
}
