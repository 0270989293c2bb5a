import { createRequire } from 'node:module'
import helper from 'node-red-node-test-helper'
import type { NodeMessage } from '../red/red-types.js'

const requireHere = createRequire(__filename)

/** A node as the helper gives it: an EventEmitter with the runtime methods. */
export type HelperNode = NonNullable<ReturnType<typeof helper.getNode>>

/** Starts the test runtime (Node-RED 4.1 from this package's devDependencies). */
export async function startRed(): Promise<void> {
  helper.init(requireHere.resolve('node-red'))
  await helper.startServer()
}

export async function stopRed(): Promise<void> {
  await helper.unload()
  await helper.stopServer()
}

/** The node with this id; fails the test when it does not exist. */
export function node(id: string): HelperNode {
  const found = helper.getNode(id)
  if (!found) throw new Error(`no node ${id} in the flow`)
  return found
}

/** Every message a helper node receives, in order. */
export function collect(id: string): NodeMessage[] {
  const received: NodeMessage[] = []
  node(id).on('input', (msg: NodeMessage) => received.push(msg))
  return received
}

/** Every status a node shows, in order. */
export function statuses(id: string): { fill?: string; shape?: string; text?: string }[] {
  const shown: { fill?: string; shape?: string; text?: string }[] = []
  node(id).on('call:status', (call: { args: [{ fill?: string; shape?: string; text?: string }] }) =>
    shown.push(call.args[0]),
  )
  return shown
}

/** Polls until `check` is true (or throws what it last threw after `timeoutMs`). */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Sends a message into a node as a wire would. */
export function inject(id: string, msg: NodeMessage): void {
  node(id).receive(msg)
}

/** The message of the error a Catch node received with `msg`. */
export function errorOf(msg: NodeMessage | undefined): { message: string; code?: string } {
  const error = msg?.error as { message?: unknown; code?: unknown } | undefined
  return {
    message: String(error?.message ?? ''),
    ...(typeof error?.code === 'string' ? { code: error.code } : {}),
  }
}

export { helper }
