/**
 * Reference decoding for parsed XML: the five predefined entities and character references
 * (XML 1.0 §4.1, §4.6), and attribute-value normalization (§3.3.3). The inverse of `escape.ts`,
 * run by `Xml.parse` after fast-xml-parser, which is told to leave references alone
 * (`internal/fxp.ts`). Its inputs have passed the pre-scan (`internal/scan.ts`), which checked
 * that each `&` starts a well-formed reference to a legal `Char`. Internal.
 */

const reference = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g
const named: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
const replaceReference = (_: string, hex?: string, dec?: string, name?: string): string =>
  hex !== undefined
    ? String.fromCodePoint(Number.parseInt(hex, 16))
    : dec !== undefined
      ? String.fromCodePoint(Number.parseInt(dec, 10))
      : (named[name ?? ''] ?? '')

/**
 * Decodes the references the scan allowed; text reaches here with line ends normalized. By hand
 * rather than `replace` with a callback (a call and a match array per reference): the scan has
 * checked every `&` starts one of the five entities or a character reference to a legal `Char`,
 * so this walk only reads them. Anything else (impossible after the scan) takes the regex, which
 * defines the result.
 */
export const decodeReferences = (s: string): string => {
  let out = ''
  let last = 0
  for (let amp = s.indexOf('&'); amp >= 0; amp = s.indexOf('&', last)) {
    const semi = s.indexOf(';', amp + 2)
    if (semi < 0) return s.replace(reference, replaceReference)
    let value: string
    if (s.charCodeAt(amp + 1) === 35 /* # */) {
      const hex = s.charCodeAt(amp + 2) === 120 /* x */
      const code = digits(s, hex ? amp + 3 : amp + 2, semi, hex ? 16 : 10)
      if (code < 0) return s.replace(reference, replaceReference)
      value = String.fromCodePoint(code)
    } else {
      const entity = predefinedEntity(s, amp + 1, semi)
      if (entity === undefined) return s.replace(reference, replaceReference)
      value = entity
    }
    out += s.slice(last, amp) + value
    last = semi + 1
  }
  return last === 0 ? s : out + s.slice(last)
}

/** The value of the digits in `s` from `start` to `end` in base 10 or 16; -1 if there are none, another character, or more than U+10FFFF. */
const digits = (s: string, start: number, end: number, base: number): number => {
  if (start >= end) return -1
  let value = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    const d =
      c >= 48 && c <= 57
        ? c - 48
        : base === 16 && c >= 97 && c <= 102
          ? c - 87
          : base === 16 && c >= 65 && c <= 70
            ? c - 55
            : -1
    if (d < 0) return -1
    value = value * base + d
    if (value > 0x10ffff) return -1
  }
  return value
}

const predefinedEntity = (s: string, start: number, end: number): string | undefined => {
  switch (s.slice(start, end)) {
    case 'lt':
      return '<'
    case 'gt':
      return '>'
    case 'amp':
      return '&'
    case 'quot':
      return '"'
    case 'apos':
      return "'"
    default:
      return undefined
  }
}

/**
 * Attribute-value normalization (XML 1.0 §3.3.3): literal TAB/LF/CR become spaces, then
 * references. One pass over the value decides whether any of that is needed: nearly all values
 * (JIDs, ids, namespaces) need neither, and a loop that finds that out is cheaper than running
 * the replacing regexes on them (bench xml:parse).
 */
export const decodeAttr = (s: string): string => {
  let amp = false
  let space = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 38) amp = true
    else if (c === 9 || c === 10 || c === 13) space = true
  }
  const spaced = space ? s.replace(attrWhitespace, ' ') : s
  return amp ? decodeReferences(spaced) : spaced
}
const attrWhitespace = /[\t\n\r]/g
