/** How long ended sessions keep counting against their key's connection limit. */
export interface LingerPolicy {
  /** SSE sessions, and sessions the simulator dropped with `linger`. */
  lingerMs: number
  /** WebSocket sessions that ended without a close frame. */
  wsLingerMs: number
}

/** What the policy looks at in an ended session. */
export interface EndedSession {
  readonly transport: 'sse' | 'ws'
  readonly droppedByServer: { linger: boolean } | undefined
  readonly endedCleanly: boolean
}

/** The milliseconds `session` keeps its slot after it ended (`0`: freed at once). */
export function lingerFor(session: EndedSession, policy: LingerPolicy): number {
  // Cut by the simulator: a stand-in for a gateway dropping the connection, held as asked.
  if (session.droppedByServer) return session.droppedByServer.linger ? policy.lingerMs : 0
  // server.go notices a gone SSE client only when a later write fails (an event, or the keepalive every
  // 15 s), and the gateway in front may hold the slot longer.
  if (session.transport === 'sse') return policy.lingerMs
  // A WebSocket whose read fails for any reason, close frame or not, is unregistered at once (server.go: the
  // read loop returns and its deferred disconnectClient runs). Only a gateway could hold it.
  return session.endedCleanly ? 0 : policy.wsLingerMs
}
