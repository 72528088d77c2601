/**
 * XEP-0004 Data Forms: `<x xmlns='jabber:x:data' type>` with a title, instructions and fields
 * (and, in results, `<reported/>` columns and `<item/>` rows). Also the payload of XEP-0128
 * service discovery extensions, where `formType` tells one form from another.
 *
 * A field's `values`, a form's `instructions` and an option's `value` are kept as text only, and
 * `<reported/>` and each `<item/>` as the list of their fields: attributes or children of those
 * elements that are not fields are not kept when the form is rewritten.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Message, ext } from 'stanzakit'
 * const form: ext.DataForm = {
 *   type: 'submit',
 *   instructions: [],
 *   fields: [{ var: 'FORM_TYPE', type: 'hidden', required: false, values: ['urn:example:poll'], options: [] }],
 *   items: [],
 * }
 * console.log(ext.formType(form)) // { _tag: 'Some', value: 'urn:example:poll' }
 * const m = pipe(Message.make({}), ext.DataForm.set(form))
 * console.log(ext.DataForm.has(m)) // true
 *
 * @since 0.2.0
 */
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as X from '../Extension.js'

/** `jabber:x:data` (XEP-0004 §9.1), also its disco feature (§6). @category model @since 0.2.0 */
export const NS = 'jabber:x:data'

/**
 * One `<field/>`: `var`, `type` (XEP-0004 §3.3, open), `label`, `desc`, `required`, its
 * `values` and, for list fields, its `options`.
 *
 * @category element definitions
 * @since 0.2.0
 */
export const FormField = X.element('field', NS, {
  var: X.optional(X.attr('var')),
  type: X.optional(
    X.attr(
      'type',
      X.open(
        'boolean',
        'fixed',
        'hidden',
        'jid-multi',
        'jid-single',
        'list-multi',
        'list-single',
        'text-multi',
        'text-private',
        'text-single',
      ),
    ),
  ),
  label: X.optional(X.attr('label')),
  desc: X.childText('desc'),
  required: X.flag('required'),
  values: X.childTexts('value'),
  options: X.many(
    X.element('option', NS, {
      label: X.optional(X.attr('label')),
      value: X.required(X.childText('value')),
    }),
  ),
})

/** @category model @since 0.2.0 */
export type FormField = X.TypeOf<typeof FormField>

const isFields = (u: unknown): u is ReadonlyArray<FormField> =>
  Array.isArray(u) && u.every(FormField.isValue)

// `<reported>` and `<item>` hold only fields, so the record keeps just the list (XEP-0004 §3.4).
const fieldList = (name: string): X.ElementDef<ReadonlyArray<FormField>> =>
  pipe(
    X.element(name, NS, { fields: X.many(FormField) }),
    X.imap(
      (r) => r.fields,
      (fields) => ({ fields }),
      isFields,
    ),
  )

/** @category extensions @since 0.2.0 */
export const DataForm = X.define({
  name: 'x',
  ns: NS,
  on: ['message', 'iq'],
  feature: NS,
  fields: {
    type: X.attr('type', X.literal('form', 'submit', 'cancel', 'result')),
    title: X.childText('title'),
    instructions: X.childTexts('instructions'),
    fields: X.many(FormField),
    reported: X.child(fieldList('reported')),
    items: X.many(fieldList('item')),
  },
})

/** @category model @since 0.2.0 */
export type DataForm = X.TypeOf<typeof DataForm>

/**
 * The form's FORM_TYPE, which names what the form is for (XEP-0068 §3.1): the value of its
 * first `FORM_TYPE` field, if that field is `hidden`. In a `form` or `result`, a FORM_TYPE field
 * that is not hidden is an ordinary field and gives `none` (XEP-0068 §4.3); in a `submit`, where
 * field types may be left out, one without a `type` counts too (XEP-0068 §5).
 *
 * @category rules
 * @since 0.2.0
 */
export const formType = (form: DataForm): O.Option<string> => {
  const f = form.fields.find((x) => x.var === 'FORM_TYPE')
  if (f === undefined) return O.none
  const hidden = f.type === 'hidden' || (f.type === undefined && form.type === 'submit')
  return hidden ? O.fromNullable(f.values[0]) : O.none
}
