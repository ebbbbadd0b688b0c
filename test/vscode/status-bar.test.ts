/** The status bar totals, its warning state for an errored app, and the crash notification. */
import * as assert from 'node:assert/strict';
import type { ExtensionApi } from '../../src/extension/api';
import type { CrashNotice } from '../../src/extension/crash-notifier';
import { cliOk, cli, corral, deleteAll, fixture, setSetting, waitFor } from './support';

describe('status bar and crash notifications', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await deleteAll(api);
  });

  it('counts online processes with their total cpu and memory', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('idle.js'), '--name', 'one']);
    await cliOk(['start', fixture('idle.js'), '--name', 'two']);
    const text = await waitFor(
      '2 online with memory',
      () => {
        const current = api.statusBar.item.text;
        return /^\$\(pulse\) 2 online · [\d.]+% · [\d.]+ MB$/.test(current) ? current : undefined;
      },
      15_000,
    );
    assert.ok(text);
    assert.equal(api.statusBar.item.backgroundColor, undefined);
    assert.equal(api.statusBar.item.command, 'corral.processes.focus');
    const tooltip = api.statusBar.item.tooltip as { value: string };
    assert.match(tooltip.value, /\| one \| online \|/);
  });

  it('turns to a warning with a count when an app is errored, and raises a notification with Show Logs', async function () {
    this.timeout(60_000);
    const notices: CrashNotice[] = [];
    const subscription = api.notifier.onDidNotify((notice) => notices.push(notice));
    try {
      await cliOk(['start', fixture('idle.js'), '--name', 'fine']);
      await cli(['start', fixture('exit-after.js'), '--name', 'crasher', '--max-restarts', '2'], { env: { DELAY_MS: '50' } });
      await waitFor('the errored count', () => / · \$\(error\) 1 errored · /.test(api.statusBar.item.text), 20_000);
      assert.equal((api.statusBar.item.backgroundColor as { id: string } | undefined)?.id, 'statusBarItem.warningBackground');
      await waitFor('the crash notification', () => notices.length > 0);
      assert.equal(notices.length, 1);
      assert.equal(notices[0].app, 'crasher');
      assert.match(notices[0].message, /"crasher" is errored/);
      assert.equal(api.view.badge?.value, 1);
    } finally {
      subscription.dispose();
    }
  });

  it('hides itself when corral.statusBar.enabled is off, without a reload', async function () {
    await setSetting('statusBar.enabled', false);
    try {
      await waitFor('the item to be hidden', () => !api.statusBar.shown);
    } finally {
      await setSetting('statusBar.enabled', undefined);
    }
    await waitFor('the item to be back', () => api.statusBar.shown);
  });
});
