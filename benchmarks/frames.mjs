// Frames shaped like a captured TON Streaming v2 `transactions` notification (pending), padded to a target
// size with realistic-looking transactions so that JSON.parse does representative work.
const baseTx = {
  account: '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615',
  hash: 'fWxquKo7We+xjC1xmHkGDiz1pM3uvu3IZ4xLC6f4H8I=',
  lt: '86711284000000',
  now: 1785482308,
  total_fees: '477625',
  description: { type: 'ordinary', aborted: false },
  out_msgs: [],
}

/** One `transactions` notification of about `targetBytes` of JSON. */
export function transactionsFrame(i, targetBytes = 1024) {
  const event = {
    type: 'transactions',
    finality: 'pending',
    trace_external_hash_norm: traceHash(i % 1e6),
    transactions: [{ ...baseTx, lt: String(86711284000000 + i) }],
    metadata: {},
  }
  let json = JSON.stringify(event)
  let k = 1
  while (json.length < targetBytes) {
    event.transactions.push({
      ...baseTx,
      lt: String(86711284000000 + i * 10 + k),
      hash: `${k}${baseTx.hash.slice(1)}`,
    })
    json = JSON.stringify(event)
    k++
  }
  return json
}

/** The SSE bytes of `count` events of about `size` bytes, as the TON SSE endpoint frames them. */
export function sseBody(count, size) {
  const parts = ['event: connected\ndata: {"status":"subscribed"}\n\n']
  for (let i = 0; i < count; i++) parts.push(`event: event\ndata: ${transactionsFrame(i, size)}\n\n`)
  return Buffer.from(parts.join(''), 'utf8')
}

const FINALITIES = ['pending', 'confirmed', 'finalized']

/** The trace hash of frame group `n`: standard base64 of the documented length, distinct per `n`. */
export const traceHash = (n) => `U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pj${String(n).padStart(6, '0')}=`

/**
 * A fast maker of distinct `transactions` notifications of about `size` bytes: the JSON is built once
 * with a marker where the trace hash goes, and each frame is three strings joined — cheap enough for
 * the server to write a million of them without becoming the bottleneck. Every frame is a new trace
 * (pending), so a client's per-trace bookkeeping sees a million traces.
 */
export function transactionsFrames(size = 1024) {
  const [head, tail] = transactionsFrame(0, size).split(traceHash(0))
  return (i) => `${head}${traceHash(i % 1e6)}${tail}`
}

/**
 * A maker of `trace` notifications of about `size` bytes (a whole trace: its tree and every transaction
 * by hash). Frame `i` is trace `i / 3` at pending, confirmed, finalized in turn — the three snapshots one
 * trace yields — so a client's finality gate passes every one.
 */
export function traceFrames(size = 64 * 1024) {
  const transactions = {}
  const children = []
  const event = {
    type: 'trace',
    finality: '@FINALITY@',
    trace_external_hash_norm: '@HASH@',
    trace: { tx_hash: baseTx.hash, in_msg_hash: baseTx.hash, children },
    transactions,
    metadata: {},
  }
  let k = 0
  while (JSON.stringify(event).length < size) {
    const hash = `${String(k).padStart(4, '0')}${baseTx.hash.slice(4)}`
    transactions[hash] = { ...baseTx, hash, lt: String(86711284000000 + k) }
    children.push({ tx_hash: hash, in_msg_hash: hash, children: [] })
    k++
  }
  const [head, middle, tail] = JSON.stringify(event).split(/"@FINALITY@"|"@HASH@"/)
  return (i) => `${head}"${FINALITIES[i % 3]}"${middle}"${traceHash(Math.floor(i / 3) % 1e6)}"${tail}`
}
