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
    trace_external_hash_norm: `U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy${String(i % 1e6).padStart(6, '0')}=`,
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
