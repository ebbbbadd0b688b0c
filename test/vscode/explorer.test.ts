/** The process view against the real daemon: starting from the palette, tree items acting, CLI changes showing up live. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import type { ProcessInfo } from '../../src/shared/protocol';
import { answerPrompts, cliOk, corral, deleteAll, fixture, jlist, pickItem, treeRows, typeValue, waitFor, workspaceFolder } from './support';

describe('process explorer', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await deleteAll(api);
  });

  it('starts a fixture HTTP app with "Corral: Start…" (quick picks answered), shows it online with cpu and memory, and reloads, stops and deletes it from its tree item', async function () {
    this.timeout(60_000);
    const dir = workspaceFolder('webapp', { 'server.js': 'fixture:http.js' });
    const server = path.join(dir, 'server.js');
    const answers = answerPrompts(api, {
      file: pickItem((item) => item.file === server),
      name: typeValue('web'),
      instances: pickItem('1'),
      watch: pickItem('No watch'),
    });
    try {
      const started = await vscode.commands.executeCommand<ProcessInfo[]>('corral.start');
      assert.deepEqual(answers.unexpected, []);
      assert.ok(started && started.length === 1, 'the command returns the started process');
    } finally {
      answers.dispose();
    }
    const [process] = (await jlist()).filter((candidate) => candidate.name === 'web');
    assert.equal(process.status, 'online');
    assert.equal(process.script, server);
    // Metrics ticks fill in cpu and memory without any refresh.
    const row = await waitFor(
      'the web row with cpu and memory',
      () => treeRows(api).find((candidate) => candidate.label === 'web' && / · \d+(\.\d+)? (KB|MB) · /.test(candidate.description)),
      15_000,
    );
    assert.match(row.description, /^\d+(\.\d)?% · [\d.]+ (KB|MB) · ↺0 · \d+s$/);
    assert.match(row.contextValue, /\brunning\b/);

    // Then its tree item's actions, as the inline buttons run them; the CLI sees each change.
    const node = () => api.tree.getChildren().find((candidate) => candidate.kind === 'app' && candidate.name === 'web');
    await vscode.commands.executeCommand('corral.item.reload', node());
    assert.equal((await jlist()).find((candidate) => candidate.name === 'web')?.restarts, 1);
    await waitFor('the reload in the tree', () => treeRows(api).find((candidate) => candidate.label === 'web' && candidate.description.includes('↺1')));

    await vscode.commands.executeCommand('corral.item.stop', node());
    assert.equal((await jlist()).find((candidate) => candidate.name === 'web')?.status, 'stopped');
    await waitFor('the stopped state in the tree', () =>
      treeRows(api).find((candidate) => candidate.label === 'web' && /\bstopped\b/.test(candidate.contextValue)),
    );

    await vscode.commands.executeCommand('corral.item.delete', node());
    assert.equal(
      (await jlist()).some((candidate) => candidate.name === 'web'),
      false,
    );
    await waitFor('the app to leave the tree', () => !node());
  });

  it('shows an app started from the CLI within 1 s, without a refresh, and drops it when the CLI deletes it', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('idle.js'), '--name', 'from-cli']);
    const started = Date.now();
    await waitFor('from-cli in the tree', () => treeRows(api).some((row) => row.label === 'from-cli'), 1000, 5);
    const shownAfter = Date.now() - started;

    await cliOk(['delete', 'from-cli']);
    const deleted = Date.now();
    await waitFor('from-cli to leave the tree', () => !treeRows(api).some((row) => row.label === 'from-cli'), 1000, 5);
    console.log(`      shown ${shownAfter} ms after the CLI returned, gone ${Date.now() - deleted} ms after its delete`);
  });

  it('groups by namespace and expands a cluster app to its workers', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('idle.js'), '--name', 'svc', '--namespace', 'backend']);
    await cliOk(['start', fixture('cluster-http.js'), '--name', 'api', '-i', '2', '--namespace', 'backend'], { env: { PORT: '0' } });
    await cliOk(['start', fixture('idle.js'), '--name', 'site', '--namespace', 'frontend']);
    await waitFor('two namespaces', () => {
      const roots = api.tree.getChildren();
      return roots.length === 2 && roots.every((root) => root.kind === 'namespace');
    });
    const rows = treeRows(api);
    assert.deepEqual(
      rows.map((row) => row.label),
      ['backend', 'api', ...rows.filter((row) => row.label.startsWith('api #')).map((row) => row.label), 'svc', 'frontend', 'site'],
    );
    assert.equal(rows.filter((row) => row.label.startsWith('api #')).length, 2);
    assert.match(rows.find((row) => row.label === 'api')!.contextValue, /\bcluster\b/);
  });

  it('starts every app of an ecosystem file from "Corral: Start Ecosystem File"', async function () {
    this.timeout(60_000);
    const dir = workspaceFolder('eco-palette', {
      'idle.js': 'fixture:idle.js',
      'ecosystem.config.json': JSON.stringify({
        apps: [
          { name: 'eco-a', script: './idle.js' },
          { name: 'eco-b', script: './idle.js', namespace: 'side' },
        ],
      }),
    });
    const file = path.join(dir, 'ecosystem.config.json');
    const answers = answerPrompts(api, { ecosystem: pickItem((item) => item.file === file) });
    try {
      await vscode.commands.executeCommand('corral.startEcosystem');
    } finally {
      answers.dispose();
    }
    assert.deepEqual((await jlist()).map((process) => process.name).sort(), ['eco-a', 'eco-b']);
    await waitFor('both apps in the tree', () => ['eco-a', 'eco-b'].every((name) => treeRows(api).some((row) => row.label === name)));
  });

  it('toggles watch on an app, keeping its environment, and opens its script', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('print-env.js'), '--name', 'toggled'], { env: { CORRAL_TOGGLE_CHECK: 'kept' } });
    await waitFor('toggled in the store', () => api.store.byName('toggled')[0]?.status === 'online');
    await vscode.commands.executeCommand('corral.toggleWatch', 'toggled');
    const [process] = (await jlist()).filter((candidate) => candidate.name === 'toggled');
    assert.equal(process.watch, true);
    assert.match(await cliOk(['env', String(process.id)]), /^CORRAL_TOGGLE_CHECK=kept$/m);
    await waitFor('the watching word in the tree', () => treeRows(api).find((row) => row.label === 'toggled' && /\bwatching\b/.test(row.contextValue)));

    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('corral.openScript', 'toggled');
    assert.equal(editor?.document.uri.fsPath, fixture('print-env.js'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('scales an app from the Scale… command', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('idle.js'), '--name', 'scaled']);
    await waitFor('scaled in the tree', () => api.store.byName('scaled').length === 1);
    const answers = answerPrompts(api, { app: pickItem('scaled'), scale: typeValue('3') });
    try {
      await vscode.commands.executeCommand('corral.scale');
    } finally {
      answers.dispose();
    }
    assert.equal((await jlist()).filter((process) => process.name === 'scaled').length, 3);
    await waitFor('three instances in the tree', () => treeRows(api).filter((row) => row.label.startsWith('scaled #')).length === 3);
  });
});
