import { isChainstreamError } from '@chainstream/core'
import {
  parseTonAddress,
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  validateTonTraceId,
} from '@chainstream/provider-toncenter'
import { signatureProblem } from '@chainstream/provider-venum-solana'
import { InvalidArgumentError } from 'commander'

// The providers' own validators decide, so the CLI refuses exactly what the library would, with the same
// words; their InvalidArgument becomes commander's, which ends the run with one line and exit 64.
function asUsage<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (isChainstreamError(error, 'InvalidArgument')) throw new InvalidArgumentError(error.message)
    throw error
  }
}

/** Values of a repeatable flag: each occurrence may also hold a comma-separated list. */
function items(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

const shown = (value: string) => JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value)

/** One TON address in any form (raw, user-friendly; checksum verified), as given. */
export function tonAddress(value: string): string {
  return asUsage(() => {
    parseTonAddress(value)
    return value
  })
}

/** `--address`, repeatable: every value checked. */
export function collectTonAddresses(value: string, previous: readonly string[] = []): string[] {
  return [...previous, ...items(value).map(tonAddress)]
}

/** A TON trace's `trace_external_hash_norm` (base64, url-safe base64 or hex), normalised. */
export function tonTraceHash(value: string): string {
  return asUsage(() => validateTonTraceId(value))
}

/** A Solana signature as Venum accepts it (base58, 86–88 characters, 64 bytes). */
export function solanaSignature(value: string): string {
  const problem = signatureProblem(value)
  if (problem !== undefined) throw new InvalidArgumentError(`The signature ${shown(value)} ${problem}.`)
  return value
}

/** `--signature`, repeatable: every value checked. */
export function collectSolanaSignatures(value: string, previous: readonly string[] = []): string[] {
  return [...previous, ...items(value).map(solanaSignature)]
}

/** `--types`: a comma-separated list of TON event types, repeatable. */
export function collectTonTypes(
  value: string,
  previous: readonly SubscribableEventType[] = [],
): SubscribableEventType[] {
  const known = SUBSCRIBABLE_EVENT_TYPES as readonly string[]
  const types = items(value)
  const unknown = types.filter((type) => !known.includes(type))
  if (unknown.length > 0 || types.length === 0) {
    throw new InvalidArgumentError(
      `${unknown.length > 0 ? `Unknown event type ${shown(unknown[0] as string)}` : 'No event type given'}: ` +
        `choose from ${known.join(', ')} (trace_invalidated is always delivered).`,
    )
  }
  return [...new Set([...previous, ...(types as SubscribableEventType[])])]
}
