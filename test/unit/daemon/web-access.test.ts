import * as assert from 'node:assert/strict';
import { isLoopbackHostHeader, sameSecret } from '../../../src/daemon/web-access';

describe('web API access', () => {
  it('serves Host values that name a loopback address, with or without a port', () => {
    for (const host of ['localhost', 'localhost:9615', 'LOCALHOST:9615', '127.0.0.1', '127.0.0.1:9615', '127.255.0.9:80', '[::1]', '[::1]:9615']) {
      assert.ok(isLoopbackHostHeader(host, '1.1'), host);
    }
  });

  it('refuses any other Host, and a missing one on HTTP/1.1', () => {
    for (const host of [
      'evil.example:9615',
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.evil.example',
      '128.0.0.1',
      '127.0.0.256',
      '10.0.0.1:9615',
      '[::2]:9615',
      '[::1]x',
      'localhost:99999',
      'localhost:',
      '',
      ' localhost',
    ]) {
      assert.ok(!isLoopbackHostHeader(host, '1.1'), JSON.stringify(host));
    }
    assert.ok(!isLoopbackHostHeader(undefined, '1.1'));
    assert.ok(isLoopbackHostHeader(undefined, '1.0'), 'HTTP/1.0 has no Host (and no browser speaks it)');
  });

  it('compares tokens of any length without throwing', () => {
    const token = 'a'.repeat(64);
    assert.ok(sameSecret(token, token));
    for (const given of ['', 'a', 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}b`]) assert.ok(!sameSecret(given, token), given);
  });
});
