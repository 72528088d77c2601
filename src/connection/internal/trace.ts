/**
 * The `trace` option's text: one event per top-level element in and out, as written or read,
 * with credentials cut out. SASL `<auth>`, `<challenge>`, `<response>` and `<success>` carry the
 * password (PLAIN) or material an attacker could replay or crack (SCRAM), and a component
 * `<handshake>` is a hash of the shared secret: their text becomes `[redacted]`
 * (docs/security.md, "traces redact credentials"). Internal.
 */
import { escapeAttr } from '../../internal/escape.js'
import type { FrameEvent } from '../framer.js'

/**
 * Top-level elements whose text is a credential (RFC 6120 §6.4, XEP-0114 §3), with or without
 * a prefix (a server may declare one for the SASL namespace on its stream header).
 */
const secretRoot =
  /^<((?:[A-Za-z_][\w.-]*:)?)(?:auth|challenge|response|success|handshake)(?=[\s/>])/

/**
 * `xml` with the text of a credential-bearing element replaced by `[redacted]`; anything else
 * unchanged. The start tag is found by scanning outside quotes (an attribute value may hold `>`).
 */
export const redact = (xml: string): string => {
  const m = secretRoot.exec(xml)
  if (m === null) return xml
  let quote = ''
  for (let i = m[0].length; i < xml.length; i++) {
    const c = xml[i]
    if (quote !== '') {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '>') {
      if (xml[i - 1] === '/') return xml // empty element: nothing to hide
      return `${xml.slice(0, i + 1)}[redacted]</${m[0].slice(1)}>`
    }
  }
  return `${m[0]} [redacted]` // a start tag cut short: keep only its name
}

/** The text of an incoming frame event (the stream header rebuilt from what the framer read). */
export const frameText = (e: FrameEvent): string | undefined => {
  switch (e._tag) {
    case 'Element':
      return redact(e.xml)
    case 'StreamOpen': {
      let s = `<stream:stream xmlns='${escapeAttr(e.ns)}'`
      for (const [p, uri] of e.prefixes) s += ` xmlns:${p}='${escapeAttr(uri)}'`
      for (const [k, v] of Object.entries(e.attrs)) s += ` ${k}='${escapeAttr(v)}'`
      return `${s}>`
    }
    case 'StreamClose':
      return '</stream:stream>'
    case 'StreamError':
      return undefined // a framing fault is not an element; the session reports it
  }
}
