import * as assert from 'node:assert/strict';
import { ConfigError, normalizeApp, revalidateApp } from '../../../../src/shared/config';

const context = { source: '', index: 0, baseDir: '/srv', baseEnv: {}, cpuCount: 1, fileExists: () => true };
const app = (extra: Record<string, unknown>): ReturnType<typeof normalizeApp> => normalizeApp({ script: '/srv/app.js', ...extra }, context);

/** The problems normalizeApp reports for these options. */
function problems(extra: Record<string, unknown>): string[] {
  try {
    app(extra);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config: readiness_probe and liveness_probe', () => {
  it('fills the defaults of every kind (Kubernetes numbers)', () => {
    const { app: config } = app({
      readiness_probe: { http_get: { port: 'PORT' } },
      liveness_probe: { tcp_socket: { port: 8080 }, period_ms: 500 },
    });
    assert.deepEqual(config.readiness_probe, {
      http_get: { port: 'PORT', path: '/', host: '127.0.0.1', scheme: 'http' },
      initial_delay_ms: 0,
      period_ms: 1000,
      timeout_ms: 1000,
      failure_threshold: 3,
      success_threshold: 1,
    });
    assert.deepEqual(config.liveness_probe, {
      tcp_socket: { port: 8080, host: '127.0.0.1' },
      initial_delay_ms: 0,
      period_ms: 500,
      timeout_ms: 1000,
      failure_threshold: 3,
      success_threshold: 1,
    });
    assert.equal(app({}).app.readiness_probe, null);
  });

  it('takes an exec probe as an argv', () => {
    const { app: config } = app({ liveness_probe: { exec: { command: ['pg_isready', '-q'] }, failure_threshold: 1 } });
    assert.deepEqual(config.liveness_probe && 'exec' in config.liveness_probe && config.liveness_probe.exec, { command: ['pg_isready', '-q'] });
  });

  it('names the field of each bad value, one line each', () => {
    assert.deepEqual(problems({ readiness_probe: { http_get: { port: 80 }, period_ms: -1 } }), [
      'apps[0].readiness_probe.period_ms: must be a positive integer, got -1',
    ]);
    assert.deepEqual(problems({ readiness_probe: { grpc: { port: 80 } } }), [
      'apps[0].readiness_probe.grpc: unknown probe kind or field (kinds: http_get, tcp_socket, exec; fields: initial_delay_ms, period_ms, timeout_ms, failure_threshold, success_threshold)',
    ]);
    assert.deepEqual(problems({ readiness_probe: { period_ms: 100 } }), ['apps[0].readiness_probe: needs one of http_get, tcp_socket, exec']);
    assert.deepEqual(problems({ liveness_probe: { http_get: { port: 80 }, exec: { command: ['true'] } } }), [
      'apps[0].liveness_probe: exactly one of http_get, tcp_socket, exec, got http_get and exec',
    ]);
    assert.deepEqual(problems({ liveness_probe: { tcp_socket: { port: '80x' } } }), [
      'apps[0].liveness_probe.tcp_socket.port: expected a port number from 1 to 65535 or the name of an env variable such as "PORT", got "80x"',
    ]);
    assert.deepEqual(problems({ liveness_probe: { tcp_socket: { port: 70000 } } }).length, 1);
    assert.deepEqual(problems({ liveness_probe: { exec: { command: ['x'] }, failure_threshold: 0, success_threshold: 1.5 } }), [
      'apps[0].liveness_probe.failure_threshold: must be a positive integer, got 0',
      'apps[0].liveness_probe.success_threshold: must be a positive integer, got 1.5',
    ]);
    assert.match(
      problems({ liveness_probe: { exec: { command: 'pg_isready -q' } } })[0],
      /^apps\[0\]\.liveness_probe\.exec\.command: expected a non-empty array of strings/,
    );
    assert.match(problems({ readiness_probe: { http_get: { port: 1, path: 'ready' } } })[0], /^apps\[0\]\.readiness_probe\.http_get\.path: /);
    assert.match(problems({ readiness_probe: { http_get: { port: 1, scheme: 'ftp' } } })[0], /^apps\[0\]\.readiness_probe\.http_get\.scheme: /);
    assert.match(problems({ readiness_probe: { http_get: { port: 1, headers: {} } } })[0], /^apps\[0\]\.readiness_probe\.http_get\.headers: unknown field/);
    assert.match(problems({ readiness_probe: 'http://localhost' })[0], /^apps\[0\]\.readiness_probe: expected an object/);
    assert.match(problems({ readiness_probe: { http_get: { port: 1 }, initial_delay_ms: -5 } })[0], /initial_delay_ms: must be a whole number of 0 or more/);
  });

  it('reads its own output again unchanged (the daemon re-checks what a client sends)', () => {
    const { app: config } = app({
      readiness_probe: { http_get: { port: 'PORT', path: '/ready', scheme: 'https' }, success_threshold: 2 },
      liveness_probe: { exec: { command: ['true'] } },
    });
    const again = revalidateApp(JSON.parse(JSON.stringify(config)), 0);
    assert.deepEqual(again.readiness_probe, config.readiness_probe);
    assert.deepEqual(again.liveness_probe, config.liveness_probe);
  });
});
