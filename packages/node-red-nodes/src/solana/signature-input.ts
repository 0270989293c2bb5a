import { signatureProblem } from '@chainstream/provider-venum-solana'

/**
 * The signatures a message asks for: `msg.payload` as a signature, a list of them (an array, or one
 * string separated by commas, spaces or new lines), or an object with `signature` / `signatures`.
 *
 * @throws Error naming the first invalid signature, before anything is sent.
 */
export function signaturesFrom(payload: unknown): string[] {
  const raw = collect(payload)
  if (raw.length === 0) {
    throw new Error(
      'msg.payload must be a Solana transaction signature, a list of them, or { signatures: [...] }',
    )
  }
  const signatures = [...new Set(raw)]
  for (const signature of signatures) {
    const problem = signatureProblem(signature)
    if (problem) {
      const shown = signature.length > 20 ? `${signature.slice(0, 20)}…` : signature
      throw new Error(`"${shown}" ${problem}`)
    }
  }
  return signatures
}

function collect(payload: unknown): string[] {
  if (typeof payload === 'string') return payload.split(/[\s,]+/).filter((part) => part !== '')
  if (Array.isArray(payload)) return payload.flatMap((item) => collect(item))
  if (payload && typeof payload === 'object') {
    const value = payload as { signature?: unknown; signatures?: unknown }
    return [...collect(value.signature), ...collect(value.signatures)]
  }
  return []
}
