import * as assert from 'node:assert/strict';
import { daemonSpawnOptions } from '../../../../src/shared/platform/daemon-spawn';

describe('platform daemon spawn', () => {
  it('spawns detached with the start-report pipe, and without a console window on Windows', () => {
    assert.deepEqual(daemonSpawnOptions('win32', 7), { detached: true, windowsHide: true, stdio: ['ignore', 7, 7, 'pipe'] });
    assert.deepEqual(daemonSpawnOptions('linux', 7), { detached: true, stdio: ['ignore', 7, 7, 'pipe'] });
    assert.deepEqual(daemonSpawnOptions('darwin', 7), { detached: true, stdio: ['ignore', 7, 7, 'pipe'] });
  });
});
