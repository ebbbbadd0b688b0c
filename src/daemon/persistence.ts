/**
 * Keeps dump.json current (autosave after every change, debounced), saves on demand, resurrects,
 * and records how the daemon ended: `kill` is a clean end; a crash, SIGKILL or reboot is not, and
 * the next daemon brings the list back by itself.
 */
import * as fs from 'node:fs';
import { readDump, writeDump, writeDumpAsync, DUMP_VERSION } from './dump';
import type { Supervisor } from './supervisor';

const AUTOSAVE_DELAY_MS = 100;

export class Persistence {
  private timer: NodeJS.Timeout | null = null;
  private frozen = false;

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

  private schedule(): void {
    if (!this.autosave || this.frozen || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.enqueueWrite();
    }, AUTOSAVE_DELAY_MS);
  }

  /** Queues a write of the list as it is when the write starts; resolves with the number of apps. */
  private enqueueWrite(): Promise<number> {
    const done = this.writing.then(async () => {
      if (this.frozen) return 0;
      const apps = this.supervisor.snapshot();
      try {
        await writeDumpAsync(this.file, { version: DUMP_VERSION, savedAt: Date.now(), apps }, () => !this.frozen);
      } catch (error) {
        this.log(`cannot write ${this.file}: ${(error as Error).message}`);
      }
      return apps.length;
    });
    this.writing = done.then(() => undefined);
    return done;
  }

  save(): Promise<number> {
    return this.enqueueWrite();
  }

  /** The daemon is going away: write the list as it is now, then stop autosaving the stops. */
  freeze(clean: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Frozen first: an autosave still in flight must not rename its older snapshot over this one.
    this.frozen = true;
    if (this.autosave || clean) {
      try {
        writeDump(this.file, { version: DUMP_VERSION, savedAt: Date.now(), apps: this.supervisor.snapshot() });
      } catch (error) {
        this.log(`cannot write ${this.file}: ${(error as Error).message}`);
      }
    }
    if (clean) fs.writeFileSync(this.cleanMarker, `${Date.now()}\n`, { mode: 0o600 });
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
