import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppTriggers } from '../../../src/daemon/app-triggers';
import type { Cause } from '../../../src/daemon/managed-process';
import { normalizeApp } from '../../../src/shared/config';

describe('app triggers: file versions', () => {
  let dir: string;
  let triggers: AppTriggers | undefined;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-triggers-'))));
  afterEach(async () => {
    await triggers?.close();
    triggers = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a save first seen half written is acted on as finished: its late report restarts nothing', async () => {
    fs.writeFileSync(path.join(dir, 'server.js'), '');
    const file = path.join(dir, 'a.js');
    const marker = path.join(dir, 'marker.js');
    const { app } = normalizeApp(
      // Polling once a minute: only the reports below reach the triggers during the test.
      { script: 'server.js', watch: true, watch_options: { usePolling: true, interval: 60_000, binaryInterval: 60_000 } },
      { source: 'test', baseDir: dir, baseEnv: {}, cpuCount: 1, fileExists: fs.existsSync, which: () => undefined },
    );
    const fired: Cause[] = [];
    let onFire: (() => void) | null = null;
    triggers = new AppTriggers(app, { alwaysIgnored: [], fire: (cause) => (fired.push(cause), onFire?.()), log: () => undefined });
    await triggers.ready;
    const nextFire = (): Promise<Cause> => new Promise((resolve) => (onFire = () => resolve(fired[fired.length - 1])));

    const first = nextFire();
    fs.writeFileSync(file, ''); // the editor truncated the file...
    triggers.notifySaved([file]);
    fs.writeFileSync(file, 'module.exports = 1;\n'); // ...and finished writing within the debounce
    assert.deepEqual((await first).files, [file]);

    const second = nextFire();
    triggers.notifySaved([file]); // the finished save, reported again later
    fs.writeFileSync(marker, 'm');
    triggers.notifySaved([marker]);
    assert.deepEqual((await second).files, [marker], 'the late report of the finished save restarted nothing');
  });
});
