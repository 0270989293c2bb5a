import type { TonSimulator, VenumSimulator } from '@chainstream/testkit'
import type { Plugin } from 'esbuild'

/** The running example: the page's URL, the simulators behind it, and how to stop everything. */
export interface WebExample {
  readonly url: string
  readonly ton: TonSimulator
  readonly venum: VenumSimulator
  close(): Promise<void>
}

/** Starts the simulators and the page's server (see server.mjs). */
export function startWebExample(options?: {
  port?: number
  host?: string
  plugins?: Plugin[]
  autoTrack?: number
}): Promise<WebExample>
