/**
 * Escaping for the string writers (SECURITY.md §5): shared by `Xml.serialize` and the stanza
 * encoders, which write their fixed parts directly instead of building elements first.
 */
import { toXmlText } from './chars.js'

const textNeedsWork = /[&<>\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/
const textSpecials = /[&<>\r]/g
const attrNeedsWork = /[&<>'"\t\n\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/
const attrSpecials = /[&<>'"\t\n\r]/g
const entityFor: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&apos;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}
const toEntity = (c: string): string => entityFor[c] ?? c

/** Text escaping: CR as a reference so it survives end-of-line normalization (XML 1.0 §2.11). */
export const escapeText = (s: string): string =>
  textNeedsWork.test(s) ? toXmlText(s).replace(textSpecials, toEntity) : s

/** Attribute escaping: TAB/LF/CR as references so they survive normalization (XML 1.0 §3.3.3). */
export const escapeAttr = (s: string): string =>
  attrNeedsWork.test(s) ? toXmlText(s).replace(attrSpecials, toEntity) : s
