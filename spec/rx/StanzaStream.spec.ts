import { describe, expect, it } from '@jest/globals'
import { Subject } from 'rxjs'
import * as rxRoot from '../../src/index.js'
import type * as Jid from '../../src/Jid.js'
import * as rx from '../../src/rx/index.js'
import type { StanzaStream } from '../../src/rx/StanzaStream.js'
import type { Stanza } from '../../src/Stanza.js'
import { ME, PEER, ping, result } from './helpers.js'

describe('rx/StanzaStream', () => {
  describe('model', () => {
    it('StanzaStream: a Subject and a function make one; jid is optional', () => {
      const wire = new Subject<Stanza>()
      const sent: Array<Stanza> = []
      const anonymous: StanzaStream = { incoming: wire, send: (s) => sent.push(s) }
      const bound: StanzaStream = { ...anonymous, jid: ME }
      expect(anonymous.jid).toBeUndefined()
      expect(bound.jid).toBe(ME)
    })

    it('StanzaStream: a live session may expose jid as a getter (undefined until bound)', async () => {
      let jid: Jid.Jid | undefined
      const wire = new Subject<Stanza>()
      const stream: StanzaStream = {
        incoming: wire,
        send: (s) => {
          if (s.kind === 'iq' && s.type === 'get') wire.next(result(s.id, s.to))
        },
        get jid() {
          return jid
        },
      }
      jid = ME
      await expect(rx.send(stream)(ping('g', PEER))).resolves.toEqual(result('g', PEER))
    })
  })

  describe('module', () => {
    it('index: the root re-exports the rx namespace, the same functions as stanzakit/rx', () => {
      expect(rxRoot.rx.request).toBe(rx.request)
      expect(Object.keys(rxRoot.rx).sort()).toEqual(Object.keys(rx).sort())
      expect(Object.keys(rx).sort()).toEqual(
        [
          'DEFAULT_MAX_PENDING',
          'DEFAULT_TIMEOUT',
          'handle',
          'iqBadResponse',
          'iqClosed',
          'iqError',
          'iqRequests',
          'iqTimeout',
          'isIqBadResponse',
          'isIqClosed',
          'isIqError',
          'isIqFailure',
          'isIqRequest',
          'isIqTimeout',
          'matchIqFailure',
          'ofKind',
          'pendingCount',
          'query',
          'request',
          'send',
          'serve',
          'withExtension',
        ].sort(),
      )
    })
  })
})
