import { LensError } from '../core/errors';

/** Progress + cancellation for one request: `tick(f)` reports progress and throws when cancelled. */
export class RequestControl {
  private readonly flag: Int32Array;
  private lastPost = 0;

  constructor(
    cancelFlag: SharedArrayBuffer,
    private readonly post: (fraction: number) => void,
  ) {
    this.flag = new Int32Array(cancelFlag);
  }

  get cancelled(): boolean {
    return Atomics.load(this.flag, 0) !== 0;
  }

  /** Call often (every few ms of work). Throws a 'cancelled' LensError once cancel was asked. */
  tick = (fraction?: number): void => {
    if (this.cancelled) throw new LensError('cancelled', 'cancelled');
    if (fraction === undefined) return;
    const now = Date.now();
    if (now - this.lastPost > 100) {
      this.lastPost = now;
      this.post(fraction);
    }
  };
}
