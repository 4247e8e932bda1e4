import { elide, escapeControl } from './text';

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

/** Longest message shown: a 10 MB name inside a message is cut in the middle. */
export const MAX_MESSAGE = 1000;

/**
 * One-line message for any thrown value, without stack traces. A LensError's text is kept
 * whole on one line (a newline in a path or name is escaped, not a place to cut) and
 * capped at {@link MAX_MESSAGE} characters.
 */
export function errorMessage(e: unknown): string {
  if (isLensError(e)) return elide(escapeControl((e as Error).message), MAX_MESSAGE);
  if (e instanceof Error) return elide(escapeControl(e.message.split('\n')[0]), MAX_MESSAGE);
  return elide(escapeControl(String(e)), MAX_MESSAGE);
}
