// The part of node-red-node-test-helper (0.3.x) the tests use; the package ships no types.
declare module 'node-red-node-test-helper' {
  import type { EventEmitter } from 'node:events'

  type NodeModule = (RED: never) => void
  type FlowNode = Record<string, unknown> & { id: string; type: string }

  interface TestNode extends EventEmitter {
    id: string
    type: string
    receive(msg: Record<string, unknown>): void
    [key: string]: unknown
  }

  interface Helper {
    init(runtimePath?: string, userSettings?: Record<string, unknown>): void
    startServer(): Promise<void>
    stopServer(): Promise<void>
    load(
      nodes: NodeModule | NodeModule[],
      flow: FlowNode[],
      credentials?: Record<string, Record<string, string>>,
    ): Promise<void>
    setFlows(
      flow: FlowNode[],
      type?: 'full' | 'flows' | 'nodes',
      credentials?: Record<string, Record<string, string>>,
    ): Promise<void>
    unload(): Promise<void>
    getNode(id: string): TestNode | null
    clearFlows(): Promise<void>
  }

  const helper: Helper
  export = helper
}
