import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../../src/DecodeError.js'
import { DataForm, type FormField, formType } from '../../src/ext/DataForm.js'
import { DiscoInfo } from '../../src/ext/Disco.js'
import * as Stanza from '../../src/Stanza.js'
import * as Xml from '../../src/Xml.js'
import { dataForm, formField, text } from '../arbitraries/ext.js'

const stanza = (file: string): Stanza.Stanza => {
  const r = Stanza.decode(readFileSync(resolve(__dirname, '..', 'fixtures', file), 'utf8'))
  if (E.isLeft(r)) throw new Error(`${file}: ${DecodeError.format(r.left)}`)
  return r.right
}

/** The form of a fixture stanza (a direct child, or the first XEP-0128 extension of disco#info). */
const formOf = (file: string): DataForm => {
  const s = stanza(file)
  const direct = s.kind === 'presence' ? O.none : DataForm.get(s)
  if (O.isSome(direct)) return direct.value
  const info = s.kind === 'iq' ? DiscoInfo.get(s) : O.none
  const form = O.isSome(info) ? info.value.extensions[0] : undefined
  if (form === undefined) throw new Error(`${file}: no form`)
  return form
}

/** A form from the XML of a specification example. */
const form = (xml: string): DataForm => {
  const el = Xml.parse(xml, { ns: null })
  if (E.isLeft(el)) throw new Error(el.left.message)
  const r = DataForm.decode(el.right)
  if (E.isLeft(r)) throw new Error(DecodeError.format(r.left))
  return r.right
}

const field = (f: Partial<FormField>): FormField => ({
  required: false,
  values: [],
  options: [],
  ...f,
})

const make = (type: DataForm['type'], fields: ReadonlyArray<FormField>): DataForm => ({
  type,
  instructions: [],
  fields,
  items: [],
})

describe('ext/DataForm', () => {
  describe('rules', () => {
    it('formType: the value of the hidden FORM_TYPE field (XEP-0068 §3.1, §4.2 Example 2)', () => {
      const pubsub = form(`<x xmlns="jabber:x:data" type="form">
       <title>PubSub subscriber request</title>
       <field var="FORM_TYPE" type="hidden">
           <value>http://jabber.org/protocol/pubsub#subscribe_authorization</value>
       </field>
       <field var="pubsub#node" type="hidden">
           <value>generic/pgm-mp3-player</value>
       </field>
    </x>`)
      expect(formType(pubsub)).toStrictEqual(
        O.some('http://jabber.org/protocol/pubsub#subscribe_authorization'),
      )
    })

    it.each([
      ['xep-0004/bot-creation-form.xml', 'jabber:bot'],
      ['xep-0004/bot-creation-submit.xml', 'jabber:bot'],
      ['xep-0004/bot-creation-result.xml', 'jabber:bot'],
      ['xep-0128/server-info.xml', 'http://jabber.org/network/serverinfo'],
      ['xep-0128/room-info.xml', 'http://jabber.org/protocol/muc#roominfo'],
      ['xep-0045/voice-approval-form.xml', 'http://jabber.org/protocol/muc#request'],
    ])('formType: %s names %s (XEP-0068 §3.1)', (file, name) => {
      expect(formType(formOf(file))).toStrictEqual(O.some(name))
    })

    it('formType: none for a form without FORM_TYPE (XEP-0068 §4.1 Example 1)', () => {
      const vote = form(`<x xmlns='jabber:x:data' type='form'>
    <title>Vote #134</title>
    <field var='mascot' type='list-single'>
      <required/>
      <option label='Light Bulb'><value>light_bulb</value></option>
      <option label='Penguin'><value>penguin</value></option>
    </field>
  </x>`)
      expect(formType(vote)).toStrictEqual(O.none)
      expect(formType(formOf('xep-0004/search-form.xml'))).toStrictEqual(O.none)
    })

    it('formType: none when FORM_TYPE is not hidden in a form (XEP-0068 §4.3 Example 3, its malformed options left out)', () => {
      const balcony = form(`<x xmlns="jabber:x:data" type="form">
       <title>Balcony Scene (Act 2, Scene 2)</title>
       <field var="FORM_TYPE" type="text-single">
         <value>http://jabber.org/protocol/shakespeare</value>
       </field>
    </x>`)
      expect(formType(balcony)).toStrictEqual(O.none)
    })

    it('formType: in a form or a result, FORM_TYPE must be typed hidden (XEP-0068 §4.3, §5)', () => {
      for (const type of ['form', 'result'] as const) {
        expect(
          formType(make(type, [field({ var: 'FORM_TYPE', values: ['urn:x'] })])),
        ).toStrictEqual(O.none)
        expect(
          formType(
            make(type, [field({ var: 'FORM_TYPE', type: 'text-single', values: ['urn:x'] })]),
          ),
        ).toStrictEqual(O.none)
        expect(
          formType(make(type, [field({ var: 'FORM_TYPE', type: 'hidden', values: ['urn:x'] })])),
        ).toStrictEqual(O.some('urn:x'))
      }
    })

    it('formType: in a submit, a FORM_TYPE field without a type counts (XEP-0068 §4.4 Example 6, §5)', () => {
      const registration = form(`<x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE'>
        <value>http://jabber.org/protocol/muc#user</value>
      </field>
      <field var='muc#user_first'>
        <value>Brunhilde</value>
      </field>
    </x>`)
      expect(formType(registration)).toStrictEqual(O.some('http://jabber.org/protocol/muc#user'))
      expect(formType(formOf('xep-0045/voice-request.xml'))).toStrictEqual(
        O.some('http://jabber.org/protocol/muc#request'),
      )
    })

    it('formType: none for a FORM_TYPE field without a value (XEP-0068 §3.1)', () => {
      expect(formType(make('result', [field({ var: 'FORM_TYPE', type: 'hidden' })]))).toStrictEqual(
        O.none,
      )
    })

    it('formType: FORM_TYPE is matched exactly, as a string (XEP-0068 §3.6)', () => {
      for (const name of ['form_type', 'FORM_TYPE ', 'FORM-TYPE'])
        expect(
          formType(make('result', [field({ var: name, type: 'hidden', values: ['urn:x'] })])),
        ).toStrictEqual(O.none)
      expect(
        formType(
          make('result', [field({ var: 'FORM_TYPE', type: 'hidden', values: [' urn:x '] })]),
        ),
      ).toStrictEqual(O.some(' urn:x '))
    })

    it('formType: the first value of a hidden FORM_TYPE, wherever the field is (XEP-0068 §3.1)', () => {
      fc.assert(
        fc.property(
          dataForm,
          fc.array(
            formField.filter((f) => f.var !== 'FORM_TYPE'),
            { maxLength: 3 },
          ),
          fc.array(text, { minLength: 1, maxLength: 3 }),
          fc.nat(3),
          (f, others, values, at) => {
            const hidden = field({ var: 'FORM_TYPE', type: 'hidden', values })
            const fields = [...others.slice(0, at), hidden, ...others.slice(at)]
            expect(formType({ ...f, fields })).toStrictEqual(O.some(values[0]))
            expect(formType({ ...f, fields: others })).toStrictEqual(O.none)
          },
        ),
        { numRuns: 60 },
      )
    })
  })
})
