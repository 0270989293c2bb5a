import type { ConnectionPhase, ConnectionStatus } from './connection-state.js'

// The worse phase wins: one broken provider is what the user must see.
const SEVERITY: Readonly<Record<ConnectionPhase, number>> = {
  error: 4,
  reconnecting: 3,
  connecting: 2,
  subscribed: 1,
  idle: 0,
}

/** The status of a node that uses several connections: the most severe of theirs. */
export function combinedStatus(statuses: Iterable<ConnectionStatus>): ConnectionStatus {
  let worst: ConnectionStatus | undefined
  for (const status of statuses) {
    if (!worst || SEVERITY[status.phase] > SEVERITY[worst.phase]) worst = status
  }
  return worst ?? { phase: 'idle', since: Date.now() }
}
