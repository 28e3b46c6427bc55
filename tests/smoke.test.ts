import { describe, expect, it } from 'vitest'
import * as core from '@parley/core'

describe('workspace', () => {
  it('resolves @parley/core from source', () => {
    expect(typeof core).toBe('object')
  })
})
