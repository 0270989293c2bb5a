/**
 * The slice of the Node-RED runtime API these nodes use (stable from Node-RED 3 through 5). Written out
 * here rather than taken from `@types/node-red`, which lags behind the runtime and pulls in express.
 */

/** A node status: `{}` clears it. */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey'
  shape?: 'ring' | 'dot'
  text?: string
}

/** A message travelling through a flow. */
export interface NodeMessage {
  _msgid?: string
  topic?: unknown
  payload?: unknown
  [key: string]: unknown
}

/** `send` of an input handler: one message, or one entry (message, array or null) per output. */
export type SendFunction = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]) => void

/** `done` of an input handler: called once per message, with an error to reach Catch nodes. */
export type DoneFunction = (error?: unknown) => void

/** Credentials as the runtime hands them to a node (only the ones declared at registration). */
export type NodeCredentials = Record<string, string | undefined>

/** A runtime node instance (what `this` is inside a node constructor). */
export interface RedNode {
  readonly id: string
  readonly type: string
  readonly z?: string
  name?: string
  credentials?: NodeCredentials
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void
  send(msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]): void
  status(status: NodeStatus): void
  /** With a message, the error reaches Catch nodes. */
  error(error: unknown, msg?: NodeMessage): void
  warn(message: unknown): void
  log(message: unknown): void
  debug(message: unknown): void
}

/** Credentials declared at registration: `password` ones never go back to the editor. */
export type CredentialsDefinition = Record<string, { type: 'text' | 'password' }>

/** The `RED` object a node module's exported function receives. */
export interface RedApi {
  nodes: {
    createNode(node: object, config: object): void
    registerType(
      type: string,
      nodeConstructor: (this: RedNode, config: never) => void,
      options?: { credentials?: CredentialsDefinition },
    ): void
    getNode(id: string): unknown
  }
  /** The message catalog of this node set (`locales/<lang>/<file>.json`). */
  _(key: string, substitutions?: Record<string, string | number>): string
}

/** What every node's editor config carries. */
export interface BaseNodeConfig {
  id: string
  type: string
  name?: string
  z?: string
}
