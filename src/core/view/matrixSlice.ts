/**
 * Which 2-D slice of an N-D array the analysis looks at: `a[i0, …, :, :]` over the leading
 * axes, the first one (all zeros) unless told. One rule for the worker and the CLI.
 */
import { LensError } from '../errors';

/** Refuses arrays with fewer than two axes (`what` names the operation). */
export function require2d(shape: readonly number[], what = 'analysis'): void {
  if (shape.length < 2)
    throw new LensError(
      `${what} needs a 2-D array (or a 2-D slice of an N-D one), got ${shape.length}-D shape [${shape.join(', ')}]`,
      'unsupported',
    );
}

/** `[1, 0, :, :]` for an N-D array (`index` over the leading axes, default all zeros), '' for a 2-D one. */
export function sliceLabel(shape: readonly number[], index?: readonly number[]): string {
  if (shape.length <= 2) return '';
  return `[${[...(index ?? shape.slice(0, -2).map(() => 0)), ':', ':'].join(', ')}]`;
}
