import { ChainstreamError } from '@chainstream/core'

/**
 * A usage problem found after the flags were parsed (a missing key, a combination that cannot work): a
 * typed `InvalidArgument`, which the CLI prints as one line and exits 64 on.
 */
export function usageError(message: string): ChainstreamError {
  return new ChainstreamError('InvalidArgument', message, { isRetryable: false })
}
