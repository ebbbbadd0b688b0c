import * as assert from 'node:assert/strict';
import { processTableSource, psFlavour } from '../../../../src/shared/platform/process-table-source';

describe('shared/process-table-source: /proc or ps', () => {
  it('reads /proc on Linux unless CORRAL_PORTABLE=1, and ps on every other POSIX system', () => {
    assert.equal(processTableSource({}, 'linux'), 'proc');
    assert.equal(processTableSource({ CORRAL_PORTABLE: '' }, 'linux'), 'proc');
    assert.equal(processTableSource({ CORRAL_PORTABLE: '0' }, 'linux'), 'proc');
    assert.equal(processTableSource({ CORRAL_PORTABLE: '1' }, 'linux'), 'ps');
    for (const platform of ['darwin', 'freebsd', 'openbsd'] as const) assert.equal(processTableSource({}, platform), 'ps');
  });

  it('spells the environment flag the way each ps wants it: procps on Linux, BSD elsewhere', () => {
    assert.equal(psFlavour('linux'), 'procps');
    assert.equal(psFlavour('darwin'), 'bsd');
    assert.equal(psFlavour('freebsd'), 'bsd');
  });
});
