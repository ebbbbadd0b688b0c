import * as assert from 'node:assert/strict';
import { matchTarget } from '../../../src/shared/targets';

describe('target words (shared by the daemon and the CLI)', () => {
  const list = [
    { id: 0, name: 'api', namespace: 'web' },
    { id: 1, name: 'api', namespace: 'web' },
    { id: 2, name: '455', namespace: 'default' },
    { id: 3, name: 'web', namespace: 'jobs' },
  ];
  const ids = (target: string): number[] => matchTarget(list, target, (item) => item).map((item) => item.id);
  it('all, an id, a numeric name when no process has that id, a name before a namespace', () => {
    assert.deepEqual(ids('all'), [0, 1, 2, 3]);
    assert.deepEqual(ids('2'), [2]);
    assert.deepEqual(ids('455'), [2]);
    assert.deepEqual(ids('api'), [0, 1]);
    assert.deepEqual(ids('web'), [3], 'the app named web, not the namespace');
    assert.deepEqual(ids('jobs'), [3]);
    assert.deepEqual(ids('nothing'), []);
  });
});
