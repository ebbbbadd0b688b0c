/**
 * The threshold arithmetic of one probe, pure: results in a row, and the verdict they add up to.
 * A probe passes after success_threshold successes in a row and fails after failure_threshold
 * failures in a row (Kubernetes' rule); until either has happened its verdict is 'unknown'.
 */
import type { ProbeTiming } from '../shared/config';

export type ProbeVerdict = 'unknown' | 'passing' | 'failing';

export class ProbeCounter {
  private successes = 0;
  private failures = 0;
  private current: ProbeVerdict = 'unknown';

  constructor(private readonly thresholds: Pick<ProbeTiming, 'failure_threshold' | 'success_threshold'>) {}

  get verdict(): ProbeVerdict {
    return this.current;
  }

  /** Failures in a row so far (0 after a success). */
  get failuresInARow(): number {
    return this.failures;
  }

  /** Counts one result; returns the new verdict when this result changed it, else null. */
  record(ok: boolean): ProbeVerdict | null {
    if (ok) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    const next: ProbeVerdict =
      ok && this.successes >= this.thresholds.success_threshold
        ? 'passing'
        : !ok && this.failures >= this.thresholds.failure_threshold
          ? 'failing'
          : this.current;
    if (next === this.current) return null;
    this.current = next;
    return next;
  }
}
