// Types of demo-flows.mjs, for the TypeScript tests that use it.
export type DemoMode = 'simulator' | 'live'
export const DEFAULT_MAINNET_ADDRESS: string
export const FIREHOSE_DEBUG_NODES: readonly string[]
export function exampleFlows(dir?: string): Record<string, unknown>[]
export function demoFlows(options: {
  modes: { toncenter: DemoMode; tonapi: DemoMode; venum: DemoMode }
  keys: { toncenter: string | undefined; tonapi: string | undefined; venum: string | undefined }
  env?: Record<string, string | undefined>
}): (Record<string, unknown> & { id: string; type: string })[]
