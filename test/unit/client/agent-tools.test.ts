import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AGENT_TOOLS,
  describedProcess,
  findAgentTool,
  formatDescriptions,
  formatList,
  MAX_LINE_CHARS,
  MAX_LIST_ROWS,
  modelText,
  streamLines,
  ToolArgumentError,
  type ToolContext,
} from '../../../src/client/agent-tools';
import { normalizeApp } from '../../../src/shared/config';
import type { ProcessDescription, ProcessInfo } from '../../../src/shared/protocol';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

const info = (extra: Partial<ProcessInfo>): ProcessInfo => ({
  id: 0,
  name: 'api',
  namespace: 'default',
  pid: 123,
  status: 'online',
  exec_mode: 'fork',
  instance: 0,
  instances: 1,
  restarts: 2,
  unstable_restarts: 0,
  started_at: 0,
  created_at: 0,
  uptime: 65_000,
  cpu: 1.5,
  memory: 50 * 1024 * 1024,
  script: '/srv/api.js',
  args: [],
  cwd: '/srv',
  interpreter: 'node',
  node_args: [],
  out_log: '/home/logs/api-out.log',
  err_log: '/home/logs/api-error.log',
  combined_log: null,
  pid_file: '',
  watch: false,
  autorestart: true,
  exit_code: null,
  exit_signal: null,
  last_reason: 'crash',
  last_reason_detail: 'exited with code 1 after 30 ms',
  health: null,
  last_probe: null,
  ...extra,
});

const SECRET = 'hunter2-secret-value';

/** A description as the daemon builds it, plus what a careless daemon might leave in: the env itself, an env_<name> block. */
function description(): ProcessDescription {
  const { app } = normalizeApp(
    { script: '/srv/api.js', name: 'api', env: { API_TOKEN: SECRET, PORT: '47193' }, env_production: { DB_PASSWORD: SECRET } },
    { source: '', baseDir: '/srv', baseEnv: { HOME: `/home/${SECRET}` }, cpuCount: 1, fileExists: () => true, envName: 'production' },
  );
  const config = { ...app, env_keys: Object.keys(app.env_sources).sort(), env_production: { DB_PASSWORD: SECRET } };
  return { ...info({}), config, history: [{ at: 1, reason: 'crash', detail: 'exited with code 1' }], samples: [{ at: 2, cpu: 3, memory: 4 }] };
}

/** The daemon is never reached when the arguments are bad. */
const unreachable: ToolContext = {
  daemon: { call: () => Promise.reject(new Error('the daemon must not be called with bad arguments')) },
  cwd: '/',
};

async function argumentError(tool: string, input: unknown): Promise<ToolArgumentError> {
  const error = await findAgentTool(tool)!
    .invoke(unreachable, input)
    .then(
      () => assert.fail('expected an argument error'),
      (caught: unknown) => caught,
    );
  assert.ok(error instanceof ToolArgumentError, String(error));
  return error;
}

describe('agent tools', () => {
  it('match package.json contributes.languageModelTools both ways (name, title, description, schema)', () => {
    const contributed = manifest.contributes.languageModelTools as Array<Record<string, unknown>>;
    assert.deepEqual(
      contributed.map((tool) => tool.name),
      AGENT_TOOLS.map((tool) => tool.name),
    );
    for (const tool of AGENT_TOOLS) {
      const entry = contributed.find((candidate) => candidate.name === tool.name)!;
      assert.equal(entry.displayName, tool.title, tool.name);
      assert.equal(entry.modelDescription, tool.description, tool.name);
      assert.deepEqual(entry.inputSchema, tool.inputSchema, tool.name);
    }
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders, [{ id: 'corral.mcp', label: 'Corral' }]);
  });

  it('mark exactly the state-changing tools for confirmation', () => {
    assert.deepEqual(
      AGENT_TOOLS.filter((tool) => tool.changesState).map((tool) => tool.name),
      ['corral_restart', 'corral_reload', 'corral_stop', 'corral_start'],
    );
    const confirmation = findAgentTool('corral_restart')!.confirmation({ target: 'api' });
    assert.match(confirmation.message, /Restart .*"api"/);
    assert.match(findAgentTool('corral_stop')!.confirmation({ target: 'all' }).message, /every process/);
    // Bad arguments still give a question (invoke then says what is wrong).
    assert.match(findAgentTool('corral_stop')!.confirmation({ target: 5 }).message, /not valid/);
  });

  it('name the bad argument, before any daemon call', async () => {
    assert.equal((await argumentError('corral_logs', { target: 'api', lines: 0 })).message, 'lines must be a whole number from 1 to 500');
    assert.equal((await argumentError('corral_logs', { target: 'api', lines: 501 })).argument, 'lines');
    assert.equal((await argumentError('corral_logs', { target: 'api', lines: 2.5 })).argument, 'lines');
    assert.equal((await argumentError('corral_logs', { target: 'api', lines: '50' })).argument, 'lines');
    assert.match((await argumentError('corral_logs', { target: 'api', stream: 'all' })).message, /^stream must be "out", "err" or "both"/);
    assert.match((await argumentError('corral_logs', {})).message, /^target must be/);
    assert.match((await argumentError('corral_restart', { target: '' })).message, /^target must be/);
    assert.match((await argumentError('corral_restart', { target: 'a\u001b[2Jb' })).message, /^target must be/);
    assert.match((await argumentError('corral_restart', { target: 'x'.repeat(201) })).message, /^target must be/);
    const unknown = await argumentError('corral_describe', { target: 'api', verbose: true });
    assert.equal(unknown.argument, 'verbose');
    assert.match(unknown.message, /^verbose: unknown argument \(corral_describe takes target\)/);
    assert.match((await argumentError('corral_list', [1])).message, /^arguments must be an object/);
    assert.match((await argumentError('corral_list', 'api')).message, /^arguments must be an object/);
  });

  it('list: one line per process with the figures, bounded rows', () => {
    const { text, structured } = formatList([info({}), info({ id: 1, name: 'worker', pid: null, status: 'stopped', namespace: 'jobs' })], undefined);
    assert.match(text, /^2 processes \(1 online\):/);
    assert.match(text, /- id 0, api, online, pid 123, cpu 1\.5%, memory 50\.0 MB, uptime 1m, restarts 2, last: crash \(exited with code 1 after 30 ms\)/);
    assert.match(text, /- id 1, worker, \(namespace jobs\), stopped, restarts 2/);
    assert.equal((structured.processes as unknown[]).length, 2);
    const many = formatList(
      Array.from({ length: MAX_LIST_ROWS + 5 }, (_, id) => info({ id })),
      undefined,
    );
    assert.equal(many.structured.shown, MAX_LIST_ROWS);
    assert.equal(many.structured.total, MAX_LIST_ROWS + 5);
    assert.match(many.text, /\(5 more not shown/);
    assert.match(formatList([], 'api').text, /No processes matching "api"/);
  });

  it('escape what apps wrote: colours dropped, controls escaped, long lines cut', () => {
    assert.equal(modelText('\u001b[31mred\u001b[0m \u001b]0;title\u0007 \u202eevil'), 'red \\x1b]0;title\\x07 \\u202eevil');
    assert.equal(modelText('tab\tkept'), 'tab\tkept');
    const long = modelText('x'.repeat(MAX_LINE_CHARS + 10));
    assert.ok(long.startsWith('x'.repeat(MAX_LINE_CHARS)));
    assert.match(long, /… \(10 more characters\)$/);
    assert.equal(formatList([info({ name: 'a\u001b[2Jb' })], undefined).text.includes('\u001b'), false);
  });

  it('logs: says when older lines exist, from one line more than wanted', () => {
    const more = streamLines('out', ['0', '1', '2', '3'], 3, '/logs/api-out.log');
    assert.deepEqual(more.lines, ['1', '2', '3']);
    assert.equal(more.truncated, true);
    const all = streamLines('err', ['only'], 3, '/logs/api-error.log');
    assert.equal(all.truncated, false);
    assert.deepEqual(all.lines, ['only']);
  });

  it('describe: env variables by name and source, never a value', () => {
    const described = describedProcess(description());
    const text = formatDescriptions([description()]).text;
    const json = JSON.stringify(described);
    for (const output of [text, json]) {
      assert.equal(output.includes(SECRET), false, output);
      assert.equal(output.includes('47193'), false, 'PORT value');
    }
    assert.deepEqual(described.env_variables, { env: ['API_TOKEN', 'PORT'], inherited: ['HOME'], env_production: ['DB_PASSWORD'] });
    assert.equal('config' in described, false);
    assert.equal(described.script, '/srv/api.js');
    assert.deepEqual(described.recent_restarts, [{ at: 1, reason: 'crash', detail: 'exited with code 1' }]);
    assert.match(text, /^id: 0\nname: api\n/);
  });

  it('describe: bounded, says how many more', () => {
    const output = formatDescriptions(Array.from({ length: 10 }, () => description()));
    assert.equal((output.structured.processes as unknown[]).length, 8);
    assert.match(output.text, /\(2 more processes not shown/);
  });
});
