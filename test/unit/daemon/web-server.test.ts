import * as assert from 'node:assert/strict';
import { stripCredentials } from '../../../src/daemon/git-info';
import { isLoopback, prometheusText } from '../../../src/daemon/web-server';
import type { ProcessInfo } from '../../../src/shared/protocol';

describe('web API helpers', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.ok(isLoopback(host), host);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com']) assert.ok(!isLoopback(host), host);
  });

  it('strips credentials from remote URLs', () => {
    assert.equal(stripCredentials('https://user:pass@github.com/a/b.git'), 'https://github.com/a/b.git');
    assert.equal(stripCredentials('https://ghp_token@github.com/a/b.git'), 'https://github.com/a/b.git');
    assert.equal(stripCredentials('git@github.com:a/b.git'), 'git@github.com:a/b.git');
    assert.equal(stripCredentials('ssh://git@host:22/a.git'), 'ssh://host:22/a.git');
  });

  it('escapes label values in the Prometheus text', () => {
    const process = {
      id: 3,
      name: 'we"ird\\name\nx',
      namespace: 'default',
      pid: 10,
      status: 'online',
      cpu: 1.5,
      memory: 2048,
      restarts: 4,
      uptime: 61_000,
    } as ProcessInfo;
    const text = prometheusText([process]);
    assert.match(text, /^corral_process_cpu_percent\{name="we\\"ird\\\\name\\nx",id="3",namespace="default"\} 1\.5$/m);
    assert.match(text, /^corral_process_uptime_seconds\{.*\} 61$/m);
    assert.match(text, /^# TYPE corral_process_restarts_total counter$/m);
  });

  it('gives a health gauge per process with probes: 1 healthy, 0 unhealthy or not ready', () => {
    const base = { namespace: 'default', pid: 10, status: 'online', cpu: 0, memory: 0, restarts: 0, uptime: 0, last_probe: null };
    const text = prometheusText([
      { ...base, id: 0, name: 'ok', health: 'healthy' },
      { ...base, id: 1, name: 'sick', health: 'unhealthy' },
      { ...base, id: 2, name: 'slow', status: 'launching', health: 'not-ready' },
      { ...base, id: 3, name: 'plain', health: null },
    ] as ProcessInfo[]);
    assert.match(text, /^# TYPE corral_process_healthy gauge$/m);
    assert.match(text, /^corral_process_healthy\{name="ok",id="0",namespace="default"\} 1$/m);
    assert.match(text, /^corral_process_healthy\{name="sick",id="1",namespace="default"\} 0$/m);
    assert.match(text, /^corral_process_healthy\{name="slow",id="2",namespace="default"\} 0$/m);
    assert.doesNotMatch(text, /corral_process_healthy\{name="plain"/);
    assert.doesNotMatch(prometheusText([{ ...base, id: 3, name: 'plain', health: null } as ProcessInfo]), /corral_process_healthy/);
  });
});
