/**
 * An expected, user-facing failure: bad input, unsupported data, limits. Its message is
 * shown as is (prefixed with the file name by whoever knows it); it never carries a stack
 * trace into the UI. Anything that is not a `LensError` is a bug.
 */
export class LensError extends Error {
  constructor(
    message: string,
    readonly code: LensErrorCode = 'invalid',
  ) {
    super(message);
    this.name = 'LensError';
  }
}

export type LensErrorCode =
  | 'invalid' // malformed input
  | 'unsupported' // well-formed but not something we read (pickled objects, structured dtypes)
  | 'too-large' // over a configured limit
  | 'cancelled'
  | 'numeric'; // NaN/Inf where a decomposition needs finite numbers

export function isLensError(e: unknown): e is LensError {
  return (
    e instanceof LensError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LensError')
  );
}

/** One-line message for any thrown value, without stack traces. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e);
}
