import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeOwnerOnly, ownerOnlyAclArgs, windowsAccount } from '../../../../src/shared/platform/owner-only';

describe('owner-only folders on Windows (icacls)', () => {
  it('drops inherited access and grants the user and SYSTEM full control, inherited by everything inside', () => {
    assert.deepEqual(ownerOnlyAclArgs('C:\\corral home', 'DESKTOP-1\\ann'), [
      'C:\\corral home',
      '/inheritance:r',
      '/grant:r',
      'DESKTOP-1\\ann:(OI)(CI)F',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '/q',
    ]);
  });

  it('names the account with its domain when Windows gives one', () => {
    assert.equal(windowsAccount({ USERDOMAIN: 'CORP' }, 'ann'), 'CORP\\ann');
    assert.equal(windowsAccount({ USERDOMAIN: ' ' }, 'ann'), 'ann');
    assert.equal(windowsAccount({}, 'ann'), 'ann');
  });

  it('refuses an account name icacls would read as something else', () => {
    for (const bad of ['', 'ann:(F)', 'a*', 'a"b', 'x|y']) assert.throws(() => ownerOnlyAclArgs('C:\\h', bad), /not an account name/);
  });

  it('runs nothing off Windows (the folder mode does it there)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-acl-'));
    try {
      const before = fs.statSync(dir).mode;
      makeOwnerOnly(dir, 'linux', { USERDOMAIN: 'X' }, 'ann');
      makeOwnerOnly(dir, 'darwin', {}, 'ann');
      assert.equal(fs.statSync(dir).mode, before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
