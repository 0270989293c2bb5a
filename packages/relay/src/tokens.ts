/**
 * Subject and KV key tokens. A NATS subject token may not hold `.`, `*`, `>` or white space, and a KV key
 * only `[-/=.\w]`; TON trace hashes are standard base64 (`+`, `/`, `=`) and raw addresses carry a `:`.
 * Tokens are therefore written in one reversible alphabet: base64 turns url-safe without padding, `:`
 * becomes `_`. Solana signatures (base58) pass unchanged.
 */
export function toToken(value: string): string {
  return value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '').replace(/:/g, '_')
}

/** The token of a raw TON address (`0:ABC…` → `0_ABC…`), upper case as the server writes raw addresses. */
export function addressToken(raw: string): string {
  return toToken(raw.toUpperCase())
}
