/** "Corral: Monitor": the webview opens with the daemon's sample history and then receives live ticks. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import type { MonitorPanel } from '../../src/extension/monitor-panel';
import { cliOk, corral, deleteAll, fixture, waitFor } from './support';

describe('monitor panel', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await deleteAll(api);
  });

  it('opens a webview that gets the history, then live metrics', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('idle.js'), '--name', 'quiet']);
    await cliOk(['start', fixture('ticker.js'), '--name', 'spinner'], { env: { TICK_MS: '5' } });
    await waitFor(
      'both apps online',
      () => api.store.byName('quiet')[0]?.status === 'online' && api.store.byName('spinner')[0]?.status === 'online',
      15_000,
      50,
    );

    const panel = await vscode.commands.executeCommand<MonitorPanel>('corral.monitor');
    assert.ok(panel, 'corral.monitor returns its panel');
    assert.equal(panel.panel.title, 'Corral: Monitor');
    const html = panel.panel.webview.html;
    assert.match(html, /Content-Security-Policy[^>]*default-src 'none'/);
    assert.match(html, /script-src 'nonce-[^']+'/);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no external resource');
    assert.match(html, /var\(--vscode-/);

    // The page asks for the history once its script runs ("init"), then each metrics tick is posted.
    const start = panel.posted;
    await waitFor('the page to ask for the history', () => panel.historyRequests >= 1, 20_000, 50);
    await waitFor('the history and two live ticks posted to the page', () => panel.posted >= start + 3, 20_000, 100);

    const again = await vscode.commands.executeCommand<MonitorPanel>('corral.monitor');
    assert.equal(again, panel, 'a second Monitor command reveals the same panel');
    panel.panel.dispose();
    const after = panel.posted;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(panel.posted, after, 'nothing is posted after the panel is closed');
  });
});
