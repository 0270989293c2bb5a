// How the bare baselines read SSE: the reading a user writes by hand — split the text on blank lines and
// hand each block on — with no parser, no reconnect and no validation.

/** Calls `onBlock` with each blank-line-terminated block of the SSE `body` (chunks of bytes). */
export async function forEachSseBlock(body, onBlock) {
  let rest = ''
  for await (const chunk of body) {
    rest += chunk.toString('utf8')
    let from = 0
    let end = rest.indexOf('\n\n')
    while (end !== -1) {
      onBlock(rest.slice(from, end))
      from = end + 2
      end = rest.indexOf('\n\n', from)
    }
    rest = rest.slice(from)
  }
}

/** The JSON of a block's `data: ` line (the only one the simulators write per event). */
export const blockData = (block) => JSON.parse(block.slice(block.indexOf('data: ') + 6))
