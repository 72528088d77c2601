/**
 * Shared fixtures of the rx specs: JIDs, requests and responses, and in-memory streams.
 */
import { expect } from '@jest/globals'
import * as E from 'fp-ts/lib/Either.js'
import { Observable, Subject } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import * as Iq from '../../src/Iq.js'
import * as Jid from '../../src/Jid.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import type { Stanza } from '../../src/Stanza.js'
import * as StanzaError from '../../src/StanzaError.js'
import * as Xml from '../../src/Xml.js'

export const jid = (s: string): Jid.Jid => {
  const r = Jid.parse(s)
  if (E.isLeft(r) || r.right !== s) throw new Error(`fixture is not a canonical JID: ${s}`)
  return r.right
}

/** Our own full JID. */
export const ME = jid('juliet@example.com/balcony')
export const MY_BARE = jid('juliet@example.com')
export const MY_DOMAIN = jid('example.com')
export const MY_OTHER = jid('juliet@example.com/chamber')
export const PEER = jid('romeo@example.net/orchard')
export const PEER_BARE = jid('romeo@example.net')
export const PEER_DOMAIN = jid('example.net')
export const MALLORY = jid('mallory@evil.example/x')

export const pingEl = Xml.element('ping', 'urn:xmpp:ping')

/** A ping get with a fixed id. */
export const ping = (id: string, to?: Jid.Jid): Iq.Iq =>
  Iq.get(pingEl, { id, ...(to === undefined ? {} : { to }) })

/** A result for `id`, from `from` (absent when undefined). */
export const result = (id: string, from?: Jid.Jid): Iq.Iq =>
  Iq.make({ type: 'result', id, ...(from === undefined ? {} : { from }) })

/** An error response for `id`. */
export const failed = (
  id: string,
  from?: Jid.Jid,
  error: StanzaError.StanzaError = StanzaError.make('item-not-found'),
): Iq.Iq => Iq.make({ type: 'error', id, error, ...(from === undefined ? {} : { from }) })

/** A virtual-time scheduler whose assertions go through Jest. */
export const testScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected))

/** A stream over a marble `hot` observable, recording what is sent. */
export const hotStream = (
  incoming: Observable<Stanza>,
  jid: Jid.Jid | undefined = ME,
): { readonly stream: StanzaStream; readonly sent: Array<Stanza> } => {
  const sent: Array<Stanza> = []
  const send = (s: Stanza): void => {
    sent.push(s)
  }
  return { stream: jid === undefined ? { incoming, send } : { incoming, send, jid }, sent }
}

/** A stream over a Subject that records what is sent. */
export interface Wire {
  readonly stream: StanzaStream
  readonly wire: Subject<Stanza>
  readonly sent: Array<Stanza>
  /** Subscribers currently on `incoming`. */
  readonly listeners: () => number
}

export const wire = (
  options: {
    readonly jid?: Jid.Jid
    readonly onSend?: (s: Stanza, w: Subject<Stanza>) => void
  } = {},
): Wire => {
  const w = new Subject<Stanza>()
  const sent: Array<Stanza> = []
  let count = 0
  const incoming = new Observable<Stanza>((subscriber) => {
    count++
    const sub = w.subscribe(subscriber)
    return () => {
      count--
      sub.unsubscribe()
    }
  })
  const send = (s: Stanza): void => {
    sent.push(s)
    options.onSend?.(s, w)
  }
  const stream: StanzaStream =
    options.jid === undefined ? { incoming, send } : { incoming, send, jid: options.jid }
  return { stream, wire: w, sent, listeners: () => count }
}

/** What an observer saw, in order. */
export type Seen =
  | { readonly next: unknown }
  | { readonly error: unknown }
  | { readonly complete: true }

export const recorder = (): {
  readonly seen: Array<Seen>
  readonly observer: {
    next: (v: unknown) => void
    error: (e: unknown) => void
    complete: () => void
  }
} => {
  const seen: Array<Seen> = []
  return {
    seen,
    observer: {
      next: (v) => seen.push({ next: v }),
      error: (e) => seen.push({ error: e }),
      complete: () => seen.push({ complete: true }),
    },
  }
}
