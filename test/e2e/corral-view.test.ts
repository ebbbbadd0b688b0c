/**
 * What a person sees of Corral in the workbench (the extension installed from its .vsix): the process view
 * empty and with three apps (one cluster), the palette's Corral commands, an app's output channel, the
 * status bar, and the notification for an errored app. Every scene is saved as a screenshot to look at.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { VERSION } from '../../src/shared/version';
import { recordMeasurement } from '../support/measure';
import { UI_TIMEOUT_MS, Workbench } from './workbench';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The real CLI against the daemon of the workbench's extension (same CORRAL_HOME, the run's tag). */
function corral(args: string[], env: Record<string, string> = {}): Promise<string> {
  const base = JSON.parse(process.env.CORRAL_E2E_ENV ?? '{}') as Record<string, string>;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'dist', 'cli.js'), ...args],
      { env: { ...base, NO_COLOR: '1', ...env }, cwd: process.env.CORRAL_E2E_WORKSPACE, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`corral ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

const fixture = (name: string): string => path.join(repoRoot, 'test', 'fixtures', name);

describe('Corral in the workbench', function () {
  let workbench: Workbench | undefined;

  before(async function () {
    workbench = await Workbench.open();
    // The extension is loaded on the server side, a few seconds after the built-in ones: its
    // activity-bar entry appearing means its contributions, commands included, are registered.
    await workbench.activityBarItem('Corral').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      await workbench.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async function () {
    await corral(['delete', 'all']).catch(() => undefined);
    await workbench?.close();
  });

  it('opens the Corral view from the activity bar and shows the empty process view with its start buttons', async function () {
    const ui = workbench!;
    await ui.activityBarItem('Corral').click();
    await ui
      .sideBarTitle()
      .filter({ hasText: /corral/i })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.sideBar().getByText('No processes are running under Corral yet.').waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.sideBar().getByRole('button', { name: 'Start a Script…' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('corral-view-empty');
  });

  it('shows three apps started from the CLI, one of them a cluster expanded to its workers', async function () {
    const ui = workbench!;
    await corral(['start', fixture('http.js'), '--name', 'web']);
    await corral(['start', fixture('cluster-http.js'), '--name', 'api', '-i', '2'], { PORT: '0' });
    await corral(['start', fixture('ticker.js'), '--name', 'worker'], { TICK_MS: '500' });
    for (const name of ['api', 'web', 'worker']) await ui.treeRow(name).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.treeRow('api').locator('.monaco-tl-twistie').click();
    await ui.treeRow(/api #\d+/).waitFor({ timeout: UI_TIMEOUT_MS });
    // Metrics arrive with the daemon's next tick: wait for a memory figure on every app row.
    for (const name of ['web', 'worker'])
      await ui
        .treeRow(name)
        .filter({ hasText: / MB · / })
        .waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.treeRow('web').hover();
    await ui.page
      .locator('.monaco-hover')
      .filter({ hasText: 'script' })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS })
      .catch(() => undefined);
    await ui.screenshot('tree-three-apps');
    await ui.page.mouse.move(700, 450);
  });

  it('lists the Corral commands in the F1 palette', async function () {
    const ui = workbench!;
    await ui.page.keyboard.press('F1');
    const input = ui.page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await input.fill('>Corral: ');
    // Sorted by name, the list shows the first sixteen or so: Debug… and Monitor among them ("Start…" further down).
    for (const title of ['Corral: Debug…', 'Corral: Monitor']) {
      await ui.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await ui.screenshot('palette-corral-commands');
    await ui.page.keyboard.press('Escape');
  });

  it("opens an app's output channel from its tree row", async function () {
    const ui = workbench!;
    await ui.treeRow('worker').click();
    const panel = ui.page.locator('.part.panel');
    await panel
      .getByText(/\[info\]\s+tick\s+\d+/)
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('output-channel');
  });

  it('shows the totals in the status bar', async function () {
    const ui = workbench!;
    const item = ui.page.locator('.part.statusbar .statusbar-item', { hasText: /\d+ online · [\d.]+% · [\d.]+ MB/ }).first();
    await item.waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('status-bar');
    await item.screenshot({ path: path.join(process.env.CORRAL_E2E_SCREENSHOTS!, 'status-bar-item.png') });
  });

  it('warns in the status bar and notifies with Show Logs when an app is errored', async function () {
    const ui = workbench!;
    await corral(['start', fixture('exit-after.js'), '--name', 'crasher', '--max-restarts', '2'], { DELAY_MS: '50' }).catch(() => undefined);
    await ui.page
      .locator('.part.statusbar .statusbar-item', { hasText: /1 errored/ })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const notification = await ui.notification(/"crasher" is errored/);
    await notification.waitFor({ timeout: UI_TIMEOUT_MS });
    await notification.getByRole('button', { name: 'Show Logs' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('errored-notification');
  });

  it('says when the daemon is gone, and fills the view again after "Start Daemon"', async function () {
    const ui = workbench!;
    await corral(['save']);
    const pid = Number(readFileSync(path.join(process.env.CORRAL_E2E_HOME!, 'daemon.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await ui.sideBar().getByText('The Corral daemon is not running.').waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('daemon-disconnected');
    await ui.sideBar().getByRole('button', { name: 'Start Daemon' }).click();
    for (const name of ['api', 'web', 'worker']) await ui.treeRow(name).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('daemon-reconnected');
  });

  it('shows 200 processes without lag', async function () {
    const ui = workbench!;
    await corral(['delete', 'all']);
    await ui.sideBar().getByText('No processes are running under Corral yet.').waitFor({ timeout: UI_TIMEOUT_MS });
    const started = Date.now();
    for (const name of ['sleep-a', 'sleep-b', 'sleep-c', 'sleep-d']) await corral(['start', 'sleep', '--name', name, '-i', '50', '--silent', '--', '600']);
    const launched = Date.now();
    for (const name of ['sleep-a', 'sleep-b', 'sleep-c', 'sleep-d']) await ui.treeRow(name).filter({ hasText: '50/50' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const shown = Date.now();
    await ui.treeRow('sleep-b').locator('.monaco-tl-twistie').click();
    await ui.treeRow(/sleep-b #\d+/).waitFor({ timeout: UI_TIMEOUT_MS });
    // Scroll through the expanded list: rows must follow the wheel at once.
    await ui.treeRow('sleep-b').hover();
    const scrollStarted = Date.now();
    for (let step = 0; step < 10; step++) await ui.page.mouse.wheel(0, 400);
    await ui.sideBar().locator('.monaco-list-row', { hasText: 'sleep-d' }).first().waitFor({ timeout: UI_TIMEOUT_MS });
    console.log(
      `      200 processes: launched in ${launched - started} ms, all rows at 50/50 ${shown - launched} ms later; scrolled in ${Date.now() - scrollStarted} ms`,
    );
    recordMeasurement('extTreeShown200', shown - launched);
    await ui.screenshot('tree-200-processes');
    await corral(['delete', 'all']);
  });

  it('runs Corral: Show Version from the F1 palette', async function () {
    const ui = workbench!;
    await ui.runFromPalette('Corral: Show Version');
    await (await ui.notification(`Corral ${VERSION}`)).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('show-version');
  });

  it('opens Corral: Monitor from the F1 palette with CPU and memory charts of two processes', async function () {
    const ui = workbench!;
    await corral(['delete', 'all']).catch(() => undefined);
    await corral(['start', fixture('ticker.js'), '--name', 'ticker'], { TICK_MS: '5' });
    await corral(['start', fixture('http.js'), '--name', 'web'], { PORT: '0' });
    await ui.runFromPalette('Corral: Monitor');
    // The webview's page sits two iframes deep: the workbench's webview host, then the page itself.
    const page = ui.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    for (const name of ['ticker', 'web']) {
      await page.locator('section.process', { hasText: name }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    // A few live ticks (one every 2 s) so the lines have some length.
    await page.locator('section.process:not([data-points="0"]):not([data-points="1"]):not([data-points="2"])').first().waitFor({ timeout: UI_TIMEOUT_MS });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await ui.screenshot('monitor-panel');
    await corral(['delete', 'all']).catch(() => undefined);
  });
  it('shows a crash of a managed app in the Problems panel, at the line that threw', async function () {
    const ui = workbench!;
    await corral(['delete', 'all']).catch(() => undefined);
    // In the workspace, so the top frame is a workspace file (test/fixtures is outside it).
    const script = path.join(process.env.CORRAL_E2E_WORKSPACE!, 'throw-at-line.js');
    copyFileSync(fixture('throw-at-line.js'), script);
    // The extension attached first (the view open), so it sees the exits as they happen. Clicking the
    // activity-bar item of the view already shown would close the side bar instead.
    const title = ui.sideBarTitle().filter({ hasText: /corral/i });
    if (!(await title.isVisible())) await ui.activityBarItem('Corral').click();
    await title.waitFor({ timeout: UI_TIMEOUT_MS });
    await corral(['start', script, '--name', 'thrower', '--max-restarts', '3']).catch(() => undefined);
    await ui.treeRow('thrower').waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.page.keyboard.press('Control+Shift+M');
    const panel = ui.page.locator('.part.panel');
    await panel
      .locator('.monaco-list-row', { hasText: 'thrower crashed: TypeError: process.handler is not a function' })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await panel.locator('.monaco-list-row', { hasText: 'throw-at-line.js' }).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('problems-panel');
    await corral(['delete', 'all']).catch(() => undefined);
  });
});
