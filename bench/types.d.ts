// Minimal declarations for the untyped peers the benchmarks call (only what bench/ uses).

declare module 'ltx' {
  export class Element {
    constructor(name: string, attrs?: Readonly<Record<string, string>>)
    name: string
    attrs: Record<string, string>
    children: Array<Element | string>
    parent: Element | null
    toString(): string
  }
  /** Parses one document; throws on malformed input. */
  export function parse(data: string): Element
}

declare module '@xmpp/xml/lib/parse.js' {
  import type { Element } from 'ltx'
  /** One-shot parse through the @xmpp/xml stream parser (ltx tokenizer); throws on errors. */
  export default function parse(data: string): Element
}

declare module '@xmpp/xml' {
  import type { Element } from 'ltx'
  /** The stream parser: emits 'start' (stream header), 'element' (each stanza), 'end'. */
  export class Parser {
    on(event: 'element' | 'start' | 'end', listener: (el: Element) => void): this
    on(event: 'error', listener: (err: Error) => void): this
    write(data: string): void
    end(data?: string): void
  }
}
