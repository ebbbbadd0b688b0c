/**
 * The probes of one managed process: waiting for readiness (a launch stays `launching` until its
 * readiness probe passes), watching liveness once online, the health they add up to and the last
 * result. Each loop runs on a lifetime of the launch (Launch.probeLifetime), so a stop, an exit or
 * a replaced worker ends it. What a failure leads to (a restart, a reload) is the owner's decision.
 */
import { describeProbe, type ProbeConfig } from '../shared/config';
import { ProcessStatus, type ProcessHealth, type ProbeResult } from '../shared/protocol';
import type { Launch } from './launch';
import type { OpenLifetimes } from './lifetime';
import { runProbes, type ProbeSlots, type ProbeTarget } from './probes';

export interface ProbeOwner {
  slots: ProbeSlots;
  open: OpenLifetimes;
  target(): ProbeTarget;
  /** The health or the last result changed in a way worth telling (not every check). */
  changed(): void;
}

export class ProcessProbes {
  last: ProbeResult | null = null;
  /** The current launch's liveness probe failed its last check. */
  private failing = false;

  constructor(private readonly owner: ProbeOwner) {}

  /** A new launch: nothing known of its liveness yet. */
  reset(): void {
    this.failing = false;
  }

  health(status: ProcessStatus, probes: { readiness_probe: ProbeConfig | null; liveness_probe: ProbeConfig | null }): ProcessHealth | null {
    if (!probes.readiness_probe && !probes.liveness_probe) return null;
    if (status === ProcessStatus.Launching) return 'not-ready';
    if (status !== ProcessStatus.Online && status !== ProcessStatus.Stopping) return null;
    return this.failing ? 'unhealthy' : 'healthy';
  }

  /**
   * 'ready' once the probe passed (success_threshold in a row), 'timeout' after `timeoutMs`, null
   * when the launch ended or the child exited first. The loop stops with the answer.
   */
  async ready(launch: Launch, probe: ProbeConfig, timeoutMs: number): Promise<'ready' | 'timeout' | null> {
    const lifetime = launch.probeLifetime(this.owner.open);
    const passed = new Promise<boolean>((resolve) => {
      lifetime.onEnd(() => resolve(false));
      void runProbes({
        kind: 'readiness',
        probe,
        lifetime,
        slots: this.owner.slots,
        target: () => this.owner.target(),
        onResult: (result, change) => {
          this.record(result);
          if (change !== 'passing') return true;
          resolve(true);
          return false;
        },
      });
    });
    const outcome = await launch.withinAfterHold(Promise.race([passed, launch.exited.then(() => false)]), timeoutMs);
    lifetime.end();
    return outcome === true ? 'ready' : outcome === 'timeout' && !launch.exit ? 'timeout' : null;
  }

  /** Probes liveness until the launch ends; `onFailing` once failure_threshold checks failed in a row (then it stops). */
  watchLiveness(launch: Launch, probe: ProbeConfig, stillCurrent: () => boolean, onFailing: (detail: string) => void): void {
    // A launch held for a debugger (Debug from Start) is probed once its debug session is over:
    // an app stopped at a breakpoint answers nothing, and is not dead.
    if (launch.heldForDebugger) return void launch.released().then(() => stillCurrent() && this.probeLiveness(launch, probe, stillCurrent, onFailing));
    this.probeLiveness(launch, probe, stillCurrent, onFailing);
  }

  private probeLiveness(launch: Launch, probe: ProbeConfig, stillCurrent: () => boolean, onFailing: (detail: string) => void): void {
    const lifetime = launch.probeLifetime(this.owner.open);
    void runProbes({
      kind: 'liveness',
      probe,
      lifetime,
      slots: this.owner.slots,
      target: () => this.owner.target(),
      onResult: (result, change, counter) => {
        if (!stillCurrent()) return false;
        const wasFailing = this.failing;
        this.failing = !result.ok;
        this.record(result, wasFailing !== this.failing);
        if (change !== 'failing') return true;
        onFailing(`${describeProbe(probe)}: ${result.detail} (${counter.failuresInARow} failures in a row)`);
        return false;
      },
    });
  }

  /** What the last check of a probe that never passed said, for the not-ready message. */
  lastFailure(): string {
    return this.last && !this.last.ok ? this.last.detail : 'no check finished';
  }

  private record(result: ProbeResult, healthChanged = false): void {
    const previous = this.last;
    this.last = result;
    if (healthChanged || !previous || previous.ok !== result.ok || previous.detail !== result.detail || previous.probe !== result.probe) this.owner.changed();
  }
}
