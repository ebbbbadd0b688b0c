/**
 * Keeps dump.json current (autosave after every change, debounced), saves on demand, resurrects,
 * and records how the daemon ended: `kill` is a clean end; a crash, SIGKILL or reboot is not, and
 * the next daemon brings the list back by itself.
 */
import * as fs from 'node:fs';
import { CorralError, ErrorCode } from '../shared/errors';
import { readDump, writeDump, writeDumpAsync, DUMP_VERSION } from '../shared/dump';
import type { Supervisor } from './supervisor';

const AUTOSAVE_DELAY_MS = 100;
/** After a failed autosave (a full disk), the list is written again this often until it succeeds. */
const AUTOSAVE_RETRY_MS = 5000;

/** "ENOSPC: no space left on device, open '...'" -> "ENOSPC: no space left on device". */
function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? message.replace(/,\s*\w+( '.*')?$/, '') : String(message ?? error);
}

export class Persistence {
  private timer: NodeJS.Timeout | null = null;
  private frozen = false;
  /** The last write failed: the dump is behind the list, and a retry is scheduled. */
  private failing: string | null = null;

  /** Written by `kill`, consumed by the next daemon: its presence means "come up empty". */
  private readonly cleanMarker: string;

  constructor(
    private readonly file: string,
    private readonly supervisor: Supervisor,
    private readonly autosave: boolean,
    private readonly log: (message: string) => void,
  ) {
    supervisor.onChange = () => this.schedule();
    this.cleanMarker = `${file}.clean`;
  }

  /** Writes in order, one at a time: a later snapshot never lands before an earlier one. */
  private writing: Promise<void> = Promise.resolve();

  private schedule(delay = AUTOSAVE_DELAY_MS): void {
    if (!this.autosave || this.frozen || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // Reported (once per failing streak) and retried inside; nothing for the caller to do.
      this.enqueueWrite().catch(() => undefined);
    }, delay);
    this.timer.unref(); // a pending write must not keep an otherwise finished process alive
  }

  /** Queues a write of the list as it is when the write starts (or of none); resolves with the number of apps. */
  private enqueueWrite(empty = false): Promise<number> {
    const done = this.writing.then(async () => {
      if (this.frozen) throw new CorralError(ErrorCode.Unsupported, 'the daemon is shutting down; the list was saved by the shutdown itself');
      const apps = empty ? [] : this.supervisor.snapshot();
      try {
        await writeDumpAsync(this.file, { version: DUMP_VERSION, savedAt: Date.now(), apps }, () => !this.frozen);
      } catch (error) {
        throw this.failed(error);
      }
      this.recovered(apps.length);
      return apps.length;
    });
    this.writing = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  /** Logs a failed write (once until one succeeds again), schedules a retry, and names the reason. */
  private failed(error: unknown): CorralError {
    const why = reason(error);
    if (this.failing === null)
      this.log(`cannot write ${this.file}: ${why}; it keeps the list saved before, and autosave tries again every ${AUTOSAVE_RETRY_MS / 1000} s`);
    this.failing = why;
    this.schedule(AUTOSAVE_RETRY_MS);
    return new CorralError(ErrorCode.Io, `cannot write ${this.file}: ${why} (it still holds the list saved before)`, { cause: error });
  }

  private recovered(apps: number): void {
    if (this.failing === null) return;
    this.failing = null;
    this.log(`wrote ${this.file} again (${apps} app${apps === 1 ? '' : 's'})`);
  }

  /** Writes the current list now; rejects with the reason when it could not be written. */
  save(): Promise<number> {
    return this.enqueueWrite();
  }

  /**
   * `cleardump`: an empty list, after any autosave already queued (so none lands after it). The next
   * change saves the live list again, as autosave does after every change.
   */
  async clear(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.enqueueWrite(true);
  }

  /**
   * The daemon is going away: write the list as it is now, then stop autosaving the stops. Never
   * throws: the shutdown must go on when nothing can be written (a full disk). Returns what could
   * not be persisted, for the caller to report.
   */
  freeze(clean: boolean): string[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Frozen first: an autosave still in flight must not rename its older snapshot over this one.
    this.frozen = true;
    const problems: string[] = [];
    if (this.autosave || clean) {
      const apps = this.supervisor.snapshot();
      try {
        writeDump(this.file, { version: DUMP_VERSION, savedAt: Date.now(), apps });
        this.recovered(apps.length);
      } catch (error) {
        problems.push(`cannot write ${this.file}: ${reason(error)}; it keeps the list saved before (corral resurrect brings that one back)`);
      }
    }
    if (clean) {
      try {
        // Empty on purpose: only its existence counts, and an empty file can still be made on a full disk.
        fs.writeFileSync(this.cleanMarker, '', { mode: 0o600 });
      } catch (error) {
        problems.push(`cannot write ${this.cleanMarker}: ${reason(error)}; the next daemon will resurrect the saved list by itself`);
      }
    }
    for (const problem of problems) this.log(problem);
    return problems;
  }

  async resurrect(): Promise<{ processes: Awaited<ReturnType<Supervisor['resurrect']>>['processes']; warnings: string[] }> {
    const loaded = readDump(this.file);
    if (!loaded) return { processes: [], warnings: [`nothing to resurrect: ${this.file} does not exist (corral save writes it)`] };
    const warnings = loaded.warning ? [loaded.warning] : [];
    const { processes, problems } = await this.supervisor.resurrect(loaded.dump.apps);
    for (const line of [...warnings, ...problems]) this.log(`resurrect: ${line}`);
    return { processes, warnings: [...warnings, ...problems] };
  }

  /** At start-up: resurrect unless the last daemon ended with `kill` (or nothing was saved). */
  async resurrectAfterUncleanEnd(): Promise<void> {
    const clean = fs.existsSync(this.cleanMarker);
    fs.rmSync(this.cleanMarker, { force: true });
    if (clean) return;
    let loaded;
    try {
      loaded = readDump(this.file);
    } catch (error) {
      this.log(`auto-resurrect skipped: ${(error as Error).message}`);
      return;
    }
    if (!loaded || loaded.dump.apps.length === 0) return;
    this.log(`the previous daemon did not end cleanly: resurrecting ${loaded.dump.apps.length} app(s)${loaded.warning ? ` (${loaded.warning})` : ''}`);
    await this.resurrect();
  }
}
