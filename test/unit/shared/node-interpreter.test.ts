import * as assert from 'node:assert/strict';
import { isNodeInterpreter } from '../../../src/shared/config/values';

describe('which interpreters are Node', () => {
  it('names and paths of Node, per platform', () => {
    for (const name of ['node', 'nodejs', 'node20', '/usr/local/bin/node', '/opt/node/bin/node22']) assert.ok(isNodeInterpreter(name, 'linux'), name);
    for (const name of ['C:\\Program Files\\nodejs\\node.exe', 'C:\\Program Files\\nodejs\\Node.exe', 'D:/tools/NODE.EXE', 'node'])
      assert.ok(isNodeInterpreter(name, 'win32'), name);
    assert.ok(isNodeInterpreter(process.execPath, 'linux'));
  });

  it('not other runtimes, nor Node in another case where file names have case', () => {
    for (const name of ['bun', 'deno', 'python3', '/usr/bin/nodemon', '/usr/bin/Node', 'node-dev']) assert.ok(!isNodeInterpreter(name, 'linux'), name);
    for (const name of ['C:\\tools\\nodemon.exe', 'C:\\bun\\bun.exe']) assert.ok(!isNodeInterpreter(name, 'win32'), name);
  });
});
