import type { RedApi, RedNode } from './red-types.js'
import type { StatusReporter } from './status-reporter.js'

/**
 * A node whose configuration node is missing: a red status, every message ended with the node type's
 * `errors.noConfig` (so Catch nodes see it), the status cleared on close. Nothing else to set up.
 */
export function runWithoutConfig(RED: RedApi, node: RedNode, reporter: StatusReporter): void {
  reporter.report({ fill: 'red', shape: 'ring', text: RED._(`${node.type}.status.noConfig`) })
  node.on('input', (_msg, _send, done) => done(new Error(RED._(`${node.type}.errors.noConfig`))))
  node.on('close', (_removed, done) => {
    reporter.clear()
    done()
  })
}
