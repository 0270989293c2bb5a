// `#runtime` is resolved through package.json `imports` by export condition (`runtime-node` or
// `runtime-web`, built files) in builds, bundles and vitest alike. A type checker reading these sources —
// here or from another package — cannot follow it to types, so its one import is typed here instead: both
// modules export the members of `Runtime`. Each member is its own export, so that a bundle drops the ones
// nothing calls (an SSE-only app ships no WebSocket factory).
// @ts-expect-error -- see above: no types behind `#runtime`
import * as selected from '#runtime'
import type { Runtime } from './runtime-types.js'

/** Which platform module this copy of the package was loaded with (see `runtime-types.ts`). */
export const kind: Runtime['kind'] = selected.kind
/** See {@link Runtime.webSocketHeaders}. */
export const webSocketHeaders: Runtime['webSocketHeaders'] = selected.webSocketHeaders
/** See {@link Runtime.openSse}. */
export const openSse: Runtime['openSse'] = selected.openSse
/** See {@link Runtime.requestText}. */
export const requestText: Runtime['requestText'] = selected.requestText
/** See {@link Runtime.createWebSocket}. */
export const createWebSocket: Runtime['createWebSocket'] = selected.createWebSocket
/** See {@link Runtime.defer}. */
export const defer: Runtime['defer'] = selected.defer
