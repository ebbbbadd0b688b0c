/**
 * The long variant of the fault suite (npm run test:soak): SOAK_MINUTES (default 10) of cluster
 * reloads under keep-alive load plus 200 restarts of a fork app. Pass: 0 failed requests, and the
 * daemon's RSS after warm-up grows less than 10 %. Prints the RSS curve for the notes.
 */
import * as assert from 'node:assert/strict';
import { fixture, TestHome, workersListening } from '../support/harness';
import { freePort, Load } from '../support/load';
import { rss } from '../support/proc';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);

describe('soak', () => {
  let home: TestHome;
  let load: Load | undefined;
  before(() => (home = new TestHome()));
  after(async () => {
    await load?.stop();
    await home.cleanup();
  });

  it(`${MINUTES} min of reloads under load and 200 restarts: 0 failed requests, daemon RSS growth < 10 % after warm-up`, async function () {
    this.timeout((MINUTES + 5) * 60_000);
    const port = await freePort();
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(port) } });
    await home.ok(['start', fixture('idle.js'), '--name', 'worker']);
    await workersListening((await home.jlist()).filter((p) => p.name === 'web'));
    const daemon = home.daemonPid() as number;
    load = new Load(port, 50, (MINUTES + 2) * 60_000);
    await load.flowing();
    const started = Date.now();
    const end = started + MINUTES * 60_000;
    const warmUpUntil = started + Math.min(60_000, (MINUTES * 60_000) / 5);
    const curve: Array<[number, number]> = [];
    let baseline = 0;
    let reloads = 0;
    let restarts = 0;
    const restartEvery = (MINUTES * 60_000) / 200;
    let nextRestart = started;
    while (Date.now() < end) {
      await home.ok(['reload', 'web', '--silent']);
      reloads++;
      while (restarts < 200 && Date.now() >= nextRestart) {
        await home.ok(['restart', 'worker', '--silent']);
        restarts++;
        nextRestart += restartEvery;
      }
      const memory = rss(daemon);
      if (!baseline && Date.now() >= warmUpUntil) baseline = memory;
      if (curve.length === 0 || Date.now() - curve[curve.length - 1][0] >= 30_000) curve.push([Date.now(), memory]);
    }
    while (restarts < 200) {
      await home.ok(['restart', 'worker', '--silent']);
      restarts++;
    }
    const report = await load.stop();
    load = undefined;
    const final = rss(daemon);
    console.log(`      ${reloads} reloads, ${restarts} restarts, ${report.ok} requests, ${report.failed} failed`);
    console.log(
      `      daemon RSS (MB) every 30 s: ${curve.map(([at, bytes]) => `${Math.round((at - started) / 1000)}s=${(bytes / 1048576).toFixed(1)}`).join(' ')} final=${(final / 1048576).toFixed(1)}`,
    );
    assert.equal(report.failed, 0, report.errors.slice(0, 5).join('; '));
    assert.ok(final < baseline * 1.1, `RSS after warm-up ${(baseline / 1048576).toFixed(1)} MB, at the end ${(final / 1048576).toFixed(1)} MB`);
  });
});
