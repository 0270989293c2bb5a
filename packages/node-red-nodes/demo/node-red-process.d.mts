// Types of node-red-process.mjs, for the TypeScript tests that use it.
import type { ChildProcess } from 'node:child_process'

export const PACKAGE_DIR: string
export const INSTANCE_HEADER: string
export function freePort(): Promise<number>
export function isPortFree(port: number): Promise<boolean>
export function prepareUserDir(options?: {
  userDir?: string
  packageDir?: string
  settings?: Record<string, unknown>
}): string
export interface RunningNodeRed {
  url: string
  port: number
  child: ChildProcess
  output: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stop(): Promise<void>
  /** The instance token its admin responses carry (undefined for a user dir not made by prepareUserDir). */
  token: string | undefined
}
export function startNodeRed(options: {
  redJs: string
  node?: string
  userDir: string
  port: number
  env?: Record<string, string>
  onLine?: (line: string) => void
  timeoutMs?: number
}): Promise<RunningNodeRed>
export function adminGet<T = unknown>(url: string, path: string, token?: string): Promise<T>
export function deployFlows(
  url: string,
  flows: unknown[],
  type?: 'full' | 'nodes' | 'flows',
  token?: string,
): Promise<{ rev: string }>
export function removeUserDir(dir: string): void
