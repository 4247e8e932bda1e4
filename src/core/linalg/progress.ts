/**
 * Progress/cancellation for long operations. The callback receives a fraction in [0, 1] and
 * may throw (e.g. a LensError('cancelled')) to abort; the exception propagates unchanged.
 * Reporters call it at most every ~50 ms of work and at least that often while a
 * decomposition's outer loop runs.
 */
export type Progress = (fraction: number) => void;

export const PROGRESS_INTERVAL_MS = 50;

export class Ticker {
  private last = Date.now();
  constructor(
    private readonly progress: Progress | undefined,
    private readonly start = 0,
    private readonly span = 1,
  ) {}

  /** Reports `start + span*fraction` when ~50 ms have passed since the last report. */
  tick(fraction: number): void {
    if (!this.progress) return;
    const t = Date.now();
    if (t - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = t;
    this.progress(this.start + this.span * Math.min(1, Math.max(0, fraction)));
  }

  /** A ticker for the sub-range [start+span*a, start+span*b] of this one. */
  sub(a: number, b: number): Ticker {
    return new Ticker(this.progress, this.start + this.span * a, this.span * (b - a));
  }

  done(): void {
    this.progress?.(this.start + this.span);
  }
}

export const noTicker = new Ticker(undefined);
