import * as assert from 'node:assert/strict';
import { ConfigError, DEFAULTS, fileSafeName, normalizeApp, revalidateApp, type NormalizeContext } from '../../../src/shared/config';

const ctx = (extra: Partial<NormalizeContext> = {}): NormalizeContext => ({
  source: 'eco.config.js',
  index: 0,
  baseDir: '/srv/app',
  baseEnv: { PATH: '/bin', HOME: '/root' },
  cpuCount: 4,
  fileExists: (file) => file.startsWith('/srv/app/') || file.startsWith('/opt/'),
  which: (command) => (command === 'npm' ? '/usr/bin/npm' : undefined),
  ...extra,
});

function problems(raw: unknown, extra?: Partial<NormalizeContext>): string[] {
  try {
    normalizeApp(raw, ctx(extra));
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config normalization', () => {
  it('fills PM2 defaults and resolves paths against the base folder', () => {
    const { app, warnings } = normalizeApp({ script: 'server.js' }, ctx());
    assert.deepEqual(warnings, []);
    assert.equal(app.name, 'server');
    assert.equal(app.script, '/srv/app/server.js');
    assert.equal(app.cwd, '/srv/app');
    assert.equal(app.interpreter, 'node');
    assert.equal(app.exec_mode, 'fork');
    assert.equal(app.instances, 1);
    assert.equal(app.autorestart, true);
    assert.equal(app.min_uptime, DEFAULTS.min_uptime);
    assert.equal(app.max_restarts, 16);
    assert.equal(app.kill_timeout, 1600);
    assert.equal(app.restart_delay, 0);
    assert.equal(app.namespace, 'default');
    assert.equal(app.instance_var, 'NODE_APP_INSTANCE');
    assert.deepEqual(app.stop_exit_codes, []);
    assert.equal(app.out_file, null);
  });

  it('resolves script relative to cwd, and cwd relative to the base folder', () => {
    const { app } = normalizeApp({ script: 'index.js', cwd: 'api' }, ctx());
    assert.equal(app.cwd, '/srv/app/api');
    assert.equal(app.script, '/srv/app/api/index.js');
  });

  it('picks the interpreter from the extension, and none for a command on PATH', () => {
    assert.equal(normalizeApp({ script: 'run.sh' }, ctx()).app.interpreter, 'bash');
    assert.equal(normalizeApp({ script: 'tool.py' }, ctx()).app.interpreter, 'python3');
    assert.equal(normalizeApp({ script: 'main.mjs' }, ctx()).app.interpreter, 'node');
    assert.equal(normalizeApp({ script: 'main.js', interpreter: '/usr/bin/node18' }, ctx()).app.interpreter, '/usr/bin/node18');
    const npm = normalizeApp({ script: 'npm', args: 'run dev' }, ctx({ fileExists: () => false })).app;
    assert.equal(npm.script, 'npm');
    assert.equal(npm.interpreter, 'none');
    assert.deepEqual(npm.args, ['run', 'dev']);
  });

  it('accepts PM2 aliases', () => {
    const { app } = normalizeApp(
      {
        script: 'a.js',
        exec_interpreter: 'node',
        interpreter_args: '--inspect',
        output: 'o.log',
        error: 'e.log',
        combine_logs: true,
        cron: '0 * * * *',
        pid: 'p.pid',
        exec_mode: 'fork_mode',
      },
      ctx(),
    );
    assert.deepEqual(app.node_args, ['--inspect']);
    assert.equal(app.out_file, '/srv/app/o.log');
    assert.equal(app.error_file, '/srv/app/e.log');
    assert.equal(app.merge_logs, true);
    assert.equal(app.cron_restart, '0 * * * *');
    assert.equal(app.pid_file, '/srv/app/p.pid');
  });

  it('resolves instances: N, max, 0 and negative', () => {
    const instances = (value: unknown): number => normalizeApp({ script: 'a.js', instances: value }, ctx()).app.instances;
    assert.equal(instances(3), 3);
    assert.equal(instances('3'), 3);
    assert.equal(instances('max'), 4);
    assert.equal(instances(0), 4);
    assert.equal(instances(-1), 3);
    assert.equal(instances(-10), 1);
  });

  it('names the file, the app and the field for a bad value', () => {
    assert.deepEqual(problems({ script: 'a.js', instances: 'lots' }, { index: 1 }), [
      'eco.config.js: apps[1].instances: expected a number, "max" or a negative number, got "lots"',
    ]);
    assert.deepEqual(problems({ script: 'a.js', instances: 2.5 }), [
      'eco.config.js: apps[0].instances: expected a number, "max" or a negative number, got 2.5',
    ]);
  });

  it('lists every problem of an app at once', () => {
    const found = problems({ script: 'a.js', kill_timeout: -1, autorestart: 'sometimes', max_restarts: 'x', max_memory_restart: '12 parsecs' });
    assert.equal(found.length, 4);
    assert.match(found.join('\n'), /kill_timeout: expected a duration in milliseconds of 0 or more/);
    assert.match(found.join('\n'), /autorestart: expected true or false, got "sometimes"/);
    assert.match(found.join('\n'), /max_restarts: expected a whole number of 0 or more, got "x"/);
    assert.match(found.join('\n'), /max_memory_restart: expected a size/);
  });

  it('rejects a missing or unknown script, bad names and bad types', () => {
    assert.deepEqual(problems({ name: 'x' }), ['eco.config.js: apps[0].script: missing: give the file to run']);
    assert.match(problems({ script: 'nope.js' }, { fileExists: () => false })[0], /script: file not found: \/srv\/app\/nope\.js/);
    assert.equal(normalizeApp({ script: 'a.js', name: '42' }, ctx()).app.name, '42', 'PM2 takes numeric names');
    assert.equal(normalizeApp({ script: 'a.js', name: 455 }, ctx()).app.name, '455');
    assert.match(problems({ script: 'a.js', name: 'all' })[0], /"all" is reserved/);
    assert.match(problems({ script: 'a.js', name: 'a\nb' })[0], /control characters/);
    assert.match(problems({ script: 'a.js', env: 'FOO=1' })[0], /env: expected an object of NAME: value/);
    assert.match(problems({ script: 'a.js', watch: 7 })[0], /watch: expected true, false, a path or an array of paths, got 7/);
    assert.match(problems({ script: 'a.js', stop_exit_codes: [0, 'x'] })[0], /stop_exit_codes: expected an exit code/);
    assert.match(problems({ script: 'a.js', cron_restart: 'nope' })[0], /cron_restart: invalid cron expression "nope"/);
    assert.match(problems({ script: 'a.js', args: '"unterminated' })[0], /args: unterminated " quote/);
    assert.match(problems('a.js')[0], /expected an object/);
  });

  it('warns about unknown keys and ignores PM2 options with no effect here', () => {
    const { warnings } = normalizeApp({ script: 'a.js', colour: 'blue', vizion: false }, ctx());
    assert.deepEqual(warnings, ['eco.config.js: apps[0].colour: unknown option, ignored']);
  });

  it('merges env: caller env, then env, then env_<name>; coerces scalars; never keeps undefined', () => {
    const { app } = normalizeApp(
      { script: 'a.js', env: { MODE: 'dev', PORT: 3000, DEBUG: false, OBJ: { a: 1 } }, env_production: { MODE: 'prod' } },
      ctx({ envName: 'production', baseEnv: { PATH: '/bin', GONE: undefined } }),
    );
    assert.deepEqual(app.env, { PATH: '/bin', MODE: 'prod', PORT: '3000', DEBUG: 'false', OBJ: '{"a":1}' });
  });

  it('parses durations and sizes the PM2 way', () => {
    const { app } = normalizeApp({ script: 'a.js', min_uptime: '2s', restart_delay: '1500', max_memory_restart: '200M', kill_timeout: '1m' }, ctx());
    assert.equal(app.min_uptime, 2000);
    assert.equal(app.restart_delay, 1500);
    assert.equal(app.max_memory_restart, 200 * 1024 * 1024);
    assert.equal(app.kill_timeout, 60_000);
  });

  it('uses flag labels for command-line messages', () => {
    const found = problems({ script: 'a.js', kill_timeout: '-5' }, { source: '', index: undefined, label: (field) => `--${field.replace(/_/g, '-')}` });
    assert.match(found[0], /^--kill-timeout: expected/);
  });

  it('revalidates a normalized config unchanged, and rejects hostile shapes', () => {
    const { app } = normalizeApp({ script: 'a.js', name: 'api', args: ['x y'], env: { A: '1' } }, ctx());
    assert.deepEqual(revalidateApp(JSON.parse(JSON.stringify(app)), 0), app);
    const unrotated = normalizeApp({ script: 'a.js', log_max_size: 0 }, ctx()).app;
    assert.equal(unrotated.log_max_size, null);
    assert.equal(revalidateApp(JSON.parse(JSON.stringify(unrotated)), 0).log_max_size, null, 'no rotation survives the trip to the daemon');
    assert.throws(() => revalidateApp({ ...app, cwd: 'relative' }, 0), /cwd: expected an absolute path/);
    assert.throws(() => revalidateApp({ ...app, env: { A: 1 } }, 0), /env: expected an object of strings/);
    assert.throws(() => revalidateApp({ ...app, instances: 'lots' }, 0), /instances/);
    assert.throws(() => revalidateApp(null, 0), /expected an app object/);
  });

  it("keys named like Object.prototype's (constructor, toString, __proto__) are unknown options, nothing more", () => {
    const raw = JSON.parse('{"script": "a.js", "constructor": 1, "toString": "x", "hasOwnProperty": true, "__proto__": {"autorestart": false}}');
    const { app, warnings } = normalizeApp(raw, ctx());
    assert.deepEqual(
      warnings.map((warning) => warning.replace(/^.*?apps\[0\]\./, '')),
      [
        'constructor: unknown option, ignored',
        'toString: unknown option, ignored',
        'hasOwnProperty: unknown option, ignored',
        '__proto__: unknown option, ignored',
      ],
    );
    assert.equal(app.autorestart, true);
  });

  it("PM2's filter_env, port, script with arguments, log_file and autostart survive the trip to the daemon unchanged", () => {
    const onlyA = ctx({ fileExists: (file) => file === '/srv/app/a.js' });
    for (const raw of [
      { script: 'a.js', filter_env: true, env: { OWN: '1' } },
      { script: 'a.js', filter_env: 'PATH,HO', port: '8081' },
      { script: 'npm run start', args: ['--', 'x'], log_file: true, autostart: false },
      { script: 'a.js', log: 'all.log', log_type: 'json', cron_restart: 0 },
    ]) {
      const { app } = normalizeApp(raw, onlyA);
      assert.deepEqual(revalidateApp(JSON.parse(JSON.stringify(app)), 0), app, JSON.stringify(raw));
    }
    const filtered = normalizeApp({ script: 'a.js', filter_env: true, env: { OWN: '1' } }, ctx()).app;
    assert.deepEqual(filtered.env, { OWN: '1' }, "none of the shell env, the app's own env kept");
    assert.deepEqual(Object.keys(normalizeApp({ script: 'a.js', filter_env: ['HO'] }, ctx()).app.env), ['PATH']);
    assert.equal(normalizeApp({ script: 'a.js', port: 8081, env: { PORT: '1' } }, ctx()).app.env.PORT, '8081', 'port wins over env.PORT');
    const words = normalizeApp({ script: 'npm run start', args: ['--', 'x'] }, onlyA).app;
    assert.deepEqual([words.script, words.args, words.interpreter], ['npm', ['run', 'start', '--', 'x'], 'none']);
    assert.deepEqual(
      [normalizeApp({ script: 'a.js', log: 'all.log' }, ctx()).app.log_file, normalizeApp({ script: 'a.js', log_file: 'NULL' }, ctx()).app.log_file],
      ['/srv/app/all.log', null],
    );
    assert.match(problems({ script: 'a.js', filter_env: 5 })[0], /filter_env: expected true or a list of name prefixes/);
    assert.match(problems({ script: 'a.js', port: 70000 })[0], /port: expected a port number/);
    assert.match(problems({ script: 'a.js', log_file: 3 })[0], /log_file: expected a file path or true/);
  });

  it('makes names safe for file names, one file name per name', () => {
    assert.equal(fileSafeName('api'), 'api');
    assert.equal(fileSafeName('my_app-2.v1'), 'my_app-2.v1');
    assert.equal(fileSafeName('../../etc/passwd'), '%2E%2E%2F..%2Fetc%2Fpasswd');
    assert.equal(fileSafeName('.env'), '%2Eenv');
    assert.equal(fileSafeName('a b;c'), 'a%20b%3Bc');
    assert.equal(fileSafeName('café'), 'caf%C3%A9');
    // Names that used to share a log file ("a b" and "a_b" both wrote a_b-out.log).
    const names = ['a b', 'a_b', 'a%20b', 'a/b', 'a\\b', 'a:b', '.a', '%2Ea', 'A b', 'a\u00a0b'];
    assert.equal(new Set(names.map(fileSafeName)).size, names.length);
    for (const name of names) assert.match(fileSafeName(name), /^[A-Za-z0-9._%-]+$/);
    const long = fileSafeName('ж'.repeat(128));
    assert.ok(long.length <= 160, `${long.length} characters`);
    assert.notEqual(long, fileSafeName(`${'ж'.repeat(127)}x`));
  });

  it('instances without exec_mode means cluster mode for a Node script, fork otherwise (PM2 7)', () => {
    const mode = (raw: Record<string, unknown>): [string, number] => {
      const { app } = normalizeApp(raw, ctx());
      return [app.exec_mode, app.instances];
    };
    assert.deepEqual(mode({ script: 'a.js' }), ['fork', 1]);
    assert.deepEqual(mode({ script: 'a.js', instances: 2 }), ['cluster', 2]);
    assert.deepEqual(mode({ script: 'a.js', instances: 1 }), ['cluster', 1]);
    assert.deepEqual(mode({ script: 'a.js', instances: 'max' }), ['cluster', 4]);
    assert.deepEqual(mode({ script: 'a.js', instances: -1 }), ['cluster', 3]);
    assert.deepEqual(mode({ script: 'a.js', instances: 2, exec_mode: 'fork' }), ['fork', 2]);
    assert.deepEqual(mode({ script: 'a.js', instances: 2, interpreter: '/opt/node20/bin/node' }), ['cluster', 2]);
    assert.deepEqual(mode({ script: 'a.py', instances: 2 }), ['fork', 2]);
    assert.deepEqual(mode({ script: '/opt/bin', interpreter: 'none', instances: 3 }), ['fork', 3]);
  });

  it('warns when fork instances of another interpreter would all get the same PORT', () => {
    const shared = normalizeApp({ script: 'a.py', instances: 2, env: { PORT: 8000 } }, ctx());
    assert.deepEqual(shared.warnings, [
      'eco.config.js: apps[0].instances: 2 fork instances (python3) all get the same PORT and cannot all listen on it; set increment_var: "PORT" to give each its own',
    ]);
    assert.deepEqual(normalizeApp({ script: 'a.py', instances: 2, env: { PORT: 8000 }, increment_var: 'PORT' }, ctx()).warnings, []);
    assert.deepEqual(normalizeApp({ script: 'a.js', instances: 2, env: { PORT: 8000 } }, ctx()).warnings, [], 'cluster workers share the port');
  });

  it('rejects NUL in env values, args and paths without echoing the value', () => {
    const envProblems = problems(
      { script: 'a.js', env: { API_KEY: 's3cr\u0000et', OK: 'fine' }, env_production: { TOKEN: 'x\u0000y' } },
      { envName: 'production' },
    );
    assert.deepEqual(envProblems, [
      'eco.config.js: apps[0].env.API_KEY: must not contain a NUL character (the value is not shown)',
      'eco.config.js: apps[0].env_production.TOKEN: must not contain a NUL character (the value is not shown)',
    ]);
    assert.ok(!envProblems.join('\n').includes('s3cr'));
    assert.deepEqual(problems({ script: 'a.js', env: 'API_KEY=s3cret' }), ['eco.config.js: apps[0].env: expected an object of NAME: value, got a string']);
    assert.deepEqual(problems({ script: 'a.js', args: ['ok', 'b\u0000ad'] }), ['eco.config.js: apps[0].args[1]: must not contain a NUL character']);
    assert.deepEqual(problems({ script: 'a.js', node_args: '--x=\u0000' }), ['eco.config.js: apps[0].node_args: must not contain a NUL character']);
    assert.deepEqual(problems({ script: 'a.js', out_file: 'o\u0000.log' }), ['eco.config.js: apps[0].out_file: must not contain a NUL character']);
    assert.deepEqual(problems({ script: 'a\u0000.js' }), ['eco.config.js: apps[0].script: must not contain a NUL character']);
    // What a hostile client sends the daemon: the whole env as the base.
    const { app } = normalizeApp({ script: 'a.js' }, ctx());
    assert.throws(
      () => revalidateApp({ ...app, env: { SECRET: 'hunter\u00002' } }, 0),
      (error: Error) =>
        /apps\[0\]\.env\.SECRET: must not contain a NUL/.test(String((error as ConfigError).problems)) &&
        !String((error as ConfigError).problems).includes('hunter'),
    );
  });
});
