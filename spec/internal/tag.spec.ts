/**
 * `internal/tag`: the `_tag` of an unknown value, and the `Error` classes of tagged failures.
 */
import { inspect } from 'node:util'
import { describe, expect, it } from '@jest/globals'
import { type Fields, taggedError, tagOf } from '../../src/internal/tag.js'

interface Oops extends Error {
  readonly _tag: 'Oops'
  readonly n: number
}
interface Said extends Error {
  readonly _tag: 'Said'
  readonly message: string
  readonly by: string
}

const OopsError = taggedError<Fields<Oops>>('Oops')
const SaidError = taggedError<Fields<Said, 'message'>>('Said')

describe('internal/tag', () => {
  it('tagOf: the _tag of an object, else undefined', () => {
    expect(tagOf({ _tag: 'A' })).toBe('A')
    expect(tagOf(new OopsError({ _tag: 'Oops', n: 1 }, 'm'))).toBe('Oops')
    for (const u of [undefined, null, 0, 'A', {}, () => undefined]) expect(tagOf(u)).toBeUndefined()
  })

  it('taggedError: an Error subclass named after the tag, with a stack from the caller', () => {
    const e = new OopsError({ _tag: 'Oops', n: 1 }, 'it broke')
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(OopsError)
    expect(OopsError.name).toBe('Oops')
    expect(e.name).toBe('Oops')
    expect(Object.hasOwn(e, 'name')).toBe(false)
    expect(String(e)).toBe('Oops: it broke')
    expect(e.stack).toMatch(/^Oops: it broke\n\s+at .*tag\.spec\.ts/)
    expect(inspect(e)).toMatch(/^Oops: it broke\n/)
    expect(inspect(e)).not.toContain('[')
  })

  it('taggedError: the record is the enumerable own properties, in order; Error parts are not', () => {
    const e = new OopsError({ _tag: 'Oops', n: 1 }, 'it broke')
    expect(Object.keys(e)).toEqual(['_tag', 'n'])
    expect(JSON.stringify(e)).toBe('{"_tag":"Oops","n":1}')
    expect({ ...e }).toStrictEqual({ _tag: 'Oops', n: 1 })
  })

  it('taggedError: a record with a message field keeps it enumerable, in its place', () => {
    const e = new SaidError({ _tag: 'Said', message: 'hello', by: 'x' }, 'hello')
    expect(Object.keys(e)).toEqual(['_tag', 'message', 'by'])
    expect(String(e)).toBe('Said: hello')
    expect(e.stack?.split('\n')[0]).toBe('Said: hello')
  })

  it('taggedError: each call makes its own class; instances of one are not of another', () => {
    expect(new OopsError({ _tag: 'Oops', n: 1 }, '')).not.toBeInstanceOf(SaidError)
    expect(taggedError('Oops')).not.toBe(OopsError)
  })
})
