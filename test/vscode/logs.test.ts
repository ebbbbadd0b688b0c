/** An app's output channel: the last lines from the daemon first, then the live stream, with no line twice and none missing. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import { cliOk, corral, deleteAll, fixture, setSetting, waitFor } from './support';

/**
 * The text of an app's output channel, as the Output view's document holds it (its URI is the channel's
 * log file name, e.g. output:corral.corral.Corral%20ticker.log: the name without the colon).
 */
function channelText(app: string): string | undefined {
  const document = vscode.workspace.textDocuments.find(
    (candidate) => candidate.uri.scheme === 'output' && decodeURIComponent(candidate.uri.path).endsWith(`Corral ${app}.log`),
  );
  return document?.getText();
}

function ticks(text: string): number[] {
  return [...text.matchAll(/\[info\] tick (\d+) /g)].map((match) => Number(match[1]));
}

describe('output channels', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
    await setSetting('logs.backfillLines', 30);
  });

  after(async () => {
    await setSetting('logs.backfillLines', undefined);
  });

  afterEach(async () => {
    await deleteAll(api);
  });

  it('fills "Corral: <app>" with the last lines, then live lines, with no duplicates and no gaps', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('ticker.js'), '--name', 'ticker'], { env: { TICK_MS: '10' } });
    // Let it write well past the backfill size, so the channel must start in the middle.
    await waitFor(
      'the ticker to write 100 lines',
      async () => {
        const logs = await api.connection.call('recentLogs', { id: api.store.byName('ticker')[0].id, lines: 1 });
        return logs.out.lines[0] && Number(/tick (\d+)/.exec(logs.out.lines[0])?.[1]) >= 100;
      },
      15_000,
      50,
    );

    const channel = await vscode.commands.executeCommand<vscode.LogOutputChannel>('corral.showLogs', 'ticker');
    assert.equal(channel?.name, 'Corral: ticker');
    const text = await waitFor(
      'backfilled and live lines in the channel',
      () => {
        const content = channelText('ticker');
        const numbers = content ? ticks(content) : [];
        return numbers.length >= 30 + 100 ? content : undefined;
      },
      20_000,
      100,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; documents: ${vscode.workspace.textDocuments.map((document) => document.uri.toString()).join(', ')}`);
    });

    const numbers = ticks(text!);
    assert.ok(numbers[0] >= 70, `the channel starts at tick ${numbers[0]}: the backfill should be the last 30 lines only`);
    for (let index = 1; index < numbers.length; index++) {
      assert.equal(numbers[index], numbers[index - 1] + 1, `tick ${numbers[index - 1]} is followed by tick ${numbers[index]}`);
    }
  });

  it('shows stderr as errors and closes the channel when the app is deleted', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('close-stdout.js'), '--name', 'noisy']);
    await waitFor('noisy in the store', () => api.store.byName('noisy').length === 1);
    await vscode.commands.executeCommand('corral.showLogs', 'noisy');
    await waitFor('stderr lines logged as errors', () => /\[error\] still alive/.test(channelText('noisy') ?? ''), 10_000, 50);
    assert.ok(api.logs.has('noisy'));
    await cliOk(['delete', 'noisy']);
    await waitFor('the channel to be disposed with the app', () => !api.logs.has('noisy'));
  });
});
