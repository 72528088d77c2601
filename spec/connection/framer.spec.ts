import { describe, expect, it } from '@jest/globals'
import * as Framer from '../../src/connection/framer.js'
import { connection } from '../../src/index.js'
import * as Xml from '../../src/Xml.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const STREAMS = 'http://etherx.jabber.org/streams'

const runText = (s: string) => Framer.framer().push(utf8(s))

const tags = (events: ReadonlyArray<Framer.FrameEvent | Framer.Fault>) => events.map((e) => e._tag)

// The framing itself is specified in spec/internal/framer.spec.ts.
describe('connection/framer', () => {
  describe('constructors', () => {
    it('framer: stanzakit/connection exposes the framer namespace', () => {
      expect(connection.framer.framer).toBe(Framer.framer)
      expect(connection.framer.STREAMS_NS).toBe(STREAMS)
    })

    it('framer: reads with Xml.parse under Xml.defaultLimits, overridable', () => {
      const open = `<stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}'>`
      const events = runText(`${open}<message><body>hi</body></message>`)
      expect(tags(events)).toEqual(['StreamOpen', 'Element'])
      const [, element] = events
      expect(element?._tag === 'Element' && element.element).toEqual(
        Xml.element('message', 'jabber:client', {}, [
          Xml.element('body', 'jabber:client', {}, ['hi']),
        ]),
      )
      const deep = `${open}${'<a>'.repeat(Xml.defaultLimits.maxDepth + 1)}`
      expect(tags(runText(deep))).toEqual(['StreamOpen', 'StreamError'])
      const small = Framer.framer({ limits: { maxDepth: 2 } }).push(
        utf8(`${open}<a><b><c/></b></a>`),
      )
      expect(tags(small)).toEqual(['StreamOpen', 'StreamError'])
    })

    it('framer: the fault policy and the dump namespace are passed on', () => {
      const f = Framer.framer({ onFault: 'resync', ns: 'jabber:server' })
      const events = [
        ...f.push(utf8("<message><!-- x --></message>\n<message id='a'/>")),
        ...f.end(),
      ]
      expect(tags(events)).toEqual(['Fault', 'Element'])
      const [fault, element] = events
      expect(fault?._tag === 'Fault' && [fault.error.condition, fault.line]).toEqual([
        'restricted-xml',
        1,
      ])
      expect(element?._tag === 'Element' && [element.element.ns, element.line]).toEqual([
        'jabber:server',
        2,
      ])
    })
  })

  describe('encoding', () => {
    it('streamHeader: a c2s header the framer reads back', () => {
      const h = Framer.streamHeader({
        to: 'example.com',
        from: 'juliet@example.com',
        version: '1.0',
        lang: 'en',
        ns: 'jabber:client',
      })
      expect(h).toBe(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${STREAMS}' to='example.com' from='juliet@example.com' version='1.0' xml:lang='en'>`,
      )
      const [open] = runText(h)
      expect(open?._tag === 'StreamOpen' && open.ns).toBe('jabber:client')
    })

    it('streamHeader: a component header (XEP-0114), no version', () => {
      expect(Framer.streamHeader({ to: 'c.example.com', ns: 'jabber:component:accept' })).toBe(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='${STREAMS}' to='c.example.com'>`,
      )
    })

    it('streamHeader: attribute values are escaped', () => {
      const h = Framer.streamHeader({ to: `a'><evil/>`, id: '"&', ns: 'jabber:client' })
      const [open, ...rest] = runText(h)
      expect(rest).toEqual([])
      expect(open?._tag === 'StreamOpen' && { ...open.attrs }).toEqual({
        to: `a'><evil/>`,
        id: '"&',
      })
    })

    it('streamClose: closes what streamHeader opens', () => {
      expect(
        tags(runText(Framer.streamHeader({ to: 'x', ns: 'jabber:client' }) + Framer.streamClose)),
      ).toEqual(['StreamOpen', 'StreamClose'])
    })
  })
})
