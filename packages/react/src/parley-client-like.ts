import type { ParleyClient } from '@parley/worker/client'

/**
 * The public surface of a {@link ParleyClient}, as a structural type. The hooks accept anything
 * of this shape, so an app or a test can hand `ParleyProvider` an in-memory fake; a real
 * `ParleyClient` (from `createParleyClient`) always fits.
 */
export type ParleyClientLike = { readonly [K in keyof ParleyClient]: ParleyClient[K] }
