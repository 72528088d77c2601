import { expect, it } from '@jest/globals'
import { A } from '../src/index.js'

it('x', () => {
  expect(A.x).toBe(1)
})
