/**
 * Keeps dump.json current (autosave after every change, debounced), saves on demand, resurrects,
 * and records how the daemon ended: `kill` is a clean end; a crash, SIGKILL or reboot is not, and
 * the next daemon brings the list back by itself.
 */
import * as fs from 'node:fs';
import { readDump, writeDump, writeDumpAsync, DUMP_VERSION, type DumpApp } from './dump';
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

  /** The autosave in flight, so writes never overlap (each one renames the same temp file). */
  private writing: Promise<void> = Promise.resolve();

  private schedule(): void {
    if (!this.autosave || this.frozen || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writing = this.writing.then(async () => {
        if (this.frozen) return;
        try {
          await writeDumpAsync(this.file, { version: DUMP_VERSION, savedAt: Date.now(), apps: this.supervisor.snapshot() });
        } catch (error) {
          this.log(`cannot write ${this.file}: ${(error as Error).message}`);
        }
      });
    }, AUTOSAVE_DELAY_MS);
  }

  private write(apps: DumpApp[]): void {
    try {
      writeDump(this.file, { version: DUMP_VERSION, savedAt: Date.now(), apps });
    } catch (error) {
      this.log(`cannot write ${this.file}: ${(error as Error).message}`);
    }
  }

  save(): number {
    const apps = this.supervisor.snapshot();
    this.write(apps);
    return apps.length;
  }

  /** The daemon is going away: write the list as it is now, then stop autosaving the stops. */
  freeze(clean: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.autosave || clean) this.write(this.supervisor.snapshot());
    if (clean) fs.writeFileSync(this.cleanMarker, `${Date.now()}\n`, { mode: 0o600 });
    this.frozen = true;
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
