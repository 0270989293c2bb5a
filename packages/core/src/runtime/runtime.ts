// `#runtime` is resolved through package.json `imports` by export condition (`runtime-node` or
// `runtime-web`, built files) in builds, bundles and vitest alike. A type checker reading these sources —
// here or from another package — cannot follow it to types, so its one import is typed here instead: both
// modules implement `Runtime`.
// @ts-expect-error -- see above: no types behind `#runtime`
import { runtime as selected } from '#runtime'
import type { Runtime } from './runtime-types.js'

/** The platform module this copy of the package was loaded with (see `runtime-types.ts`). */
export const runtime: Runtime = selected
