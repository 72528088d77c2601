/**
 * The XMPP stream framer (RFC 6120 §4): socket bytes in, stream events out.
 *
 * Work in progress: signatures are final, bodies are stubs.
 *
 * @since 0.2.0
 */
import type * as Xml from '../Xml.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export type FrameEvent =
  | {
      readonly _tag: 'StreamOpen'
      /** `to`, `from`, `id`, `version`, `xml:lang` of the header. */
      readonly attrs: Readonly<Record<string, string>>
      /** The content namespace: the header's default `xmlns`. */
      readonly ns: string
      /** Prefix declarations of the header, e.g. `stream` → `http://etherx.jabber.org/streams`. */
      readonly prefixes: ReadonlyMap<string, string>
    }
  | { readonly _tag: 'Element'; readonly xml: string; readonly element: Xml.XmlElement }
  | { readonly _tag: 'StreamClose' }
  | {
      readonly _tag: 'StreamError'
      /** The RFC 6120 §4.9.3 condition the caller closes the stream with. */
      readonly condition: string
      readonly message: string
    }

/** @category model */
export interface Framer {
  push(chunk: Uint8Array): ReadonlyArray<FrameEvent>
  /** A new stream: after STARTTLS or SASL success (RFC 6120 §5.4.3.3, §6.4.6). */
  reset(): void
}

/** @category model */
export interface FramerOptions {
  readonly limits?: Partial<Xml.Limits>
}

/** @category model */
export interface StreamHeaderOptions {
  readonly to: string
  readonly from?: string
  readonly version?: '1.0'
  readonly lang?: string
  readonly ns: 'jabber:client' | 'jabber:component:accept'
  readonly id?: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** @category constructors */
export const framer = (_options?: FramerOptions): Framer => ({
  push: () => [],
  reset: () => undefined,
})

/** @category encoding */
export const streamHeader = (_options: StreamHeaderOptions): string => ''

/** @category encoding */
export const streamClose = '</stream:stream>'
