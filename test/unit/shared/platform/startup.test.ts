import * as assert from 'node:assert/strict';
import { defaultStartupSystem, launchdInstructions, launchdPlist, schtasksRecipe } from '../../../../src/shared/platform/startup';

describe('platform startup recipes', () => {
  it('picks the startup system by platform', () => {
    assert.equal(defaultStartupSystem('linux'), 'systemd');
    assert.equal(defaultStartupSystem('darwin'), 'launchd');
    assert.equal(defaultStartupSystem('win32'), 'schtasks');
  });

  it('prints a Task Scheduler task that runs corral resurrect at logon', () => {
    const options = { nodePath: 'C:\\Program Files\\nodejs\\node.exe', cliScript: 'C:\\tools\\corral\\dist\\cli.js', home: 'D:\\corral home', name: 'Corral' };
    const lines = schtasksRecipe({ ...options, customHome: true }).split('\n');
    assert.ok(lines.includes('setx CORRAL_HOME "D:\\corral home"'));
    assert.ok(
      lines.includes(
        'schtasks /Create /F /TN "Corral" /SC ONLOGON /RL LIMITED /TR "\\"C:\\Program Files\\nodejs\\node.exe\\" \\"C:\\tools\\corral\\dist\\cli.js\\" resurrect"',
      ),
      lines.join('\n'),
    );
    assert.ok(lines.some((line) => line.includes('schtasks /Delete /F /TN "Corral"')));
    assert.ok(!schtasksRecipe({ ...options, customHome: false }).includes('setx'));
  });

  it('prints a launchd agent that runs corral resurrect at load', () => {
    const plist = launchdPlist({
      nodePath: '/usr/local/bin/node',
      cliScript: '/opt/corral/dist/cli.js',
      home: '/Users/ann/a&b',
      name: 'corral',
      customHome: false,
    });
    assert.match(plist, /<key>Label<\/key>\n {2}<string>io\.corral\.corral<\/string>/);
    assert.match(
      plist,
      /<array>\n {4}<string>\/usr\/local\/bin\/node<\/string>\n {4}<string>\/opt\/corral\/dist\/cli\.js<\/string>\n {4}<string>resurrect<\/string>\n {2}<\/array>/,
    );
    assert.match(plist, /<key>CORRAL_HOME<\/key>\n {4}<string>\/Users\/ann\/a&amp;b<\/string>/);
    assert.match(plist, /<key>RunAtLoad<\/key>\n {2}<true\/>/);
    assert.match(plist, /<key>AbandonProcessGroup<\/key>\n {2}<true\/>/);
    assert.match(
      launchdInstructions('/Users/ann/Library/LaunchAgents/io.corral.corral.plist'),
      /launchctl bootstrap gui\/\$\(id -u\) \/Users\/ann\/Library\/LaunchAgents\/io\.corral\.corral\.plist/,
    );
  });
});
