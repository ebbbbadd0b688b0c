import * as assert from 'node:assert/strict';
import {
  envValue,
  escapeCmdArgument,
  executableProblem,
  findWindowsCommand,
  hasPathSeparator,
  quoteForArgv,
  resolveSpawn,
  type ResolveOptions,
} from '../../../../src/shared/platform/commands';

/** CommandLineToArgvW's rules for the arguments after the program name. */
function parseArgv(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let started = false;
  for (let index = 0; index < line.length;) {
    const character = line[index];
    if (character === '\\') {
      let count = 0;
      while (line[index] === '\\') {
        count += 1;
        index += 1;
      }
      if (line[index] === '"') {
        current += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 1) {
          current += '"';
          index += 1;
        }
      } else current += '\\'.repeat(count);
      started = true;
    } else if (character === '"') {
      inQuotes = !inQuotes;
      started = true;
      index += 1;
    } else if ((character === ' ' || character === '\t') && !inQuotes) {
      if (started) args.push(current);
      current = '';
      started = false;
      index += 1;
    } else {
      current += character;
      started = true;
      index += 1;
    }
  }
  if (started) args.push(current);
  return args;
}

/** cmd.exe's caret phase: every quote is escaped too, so cmd never enters a quoted span and ^x is x. */
function cmdUnescape(line: string): string {
  return line.replace(/\^(.)/g, '$1');
}

const TRICKY = [
  'plain',
  'with space',
  'say "hi"',
  'a&b|c<d>e^f%g!h',
  'trailing\\',
  'trailing two\\\\',
  'C:\\dir with space\\',
  'back\\"quote',
  '',
  '%PATH%',
  '(x); y, z*?',
  '`tick`',
];

function windows(files: string[], env: Record<string, string> = {}): ResolveOptions {
  const present = new Set(files.map((file) => file.toLowerCase()));
  return {
    platform: 'win32',
    cwd: 'C:\\project',
    env: {
      Path: 'C:\\nodejs;"C:\\Program Files\\tools";C:\\Windows\\System32',
      PATHEXT: '.com;.exe;.bat;.cmd;.ps1',
      ComSpec: 'C:\\Windows\\System32\\cmd.exe',
      ...env,
    },
    isFile: (file) => present.has(file.toLowerCase()),
  };
}

describe('platform commands', () => {
  it('quotes an argument so CommandLineToArgvW reads it back', () => {
    for (const argument of TRICKY) assert.deepEqual(parseArgv(quoteForArgv(argument)), [argument], argument);
    assert.equal(quoteForArgv('trailing\\'), '"trailing\\\\"');
    assert.equal(quoteForArgv('say "hi"'), '"say \\"hi\\""');
    assert.equal(quoteForArgv('back\\"quote'), '"back\\\\\\"quote"');
  });

  it('escapes every cmd metacharacter with ^, twice through an npm shim', () => {
    assert.equal(escapeCmdArgument('a&b', false), '^"a^&b^"');
    assert.equal(escapeCmdArgument('a&b', true), '^^^"a^^^&b^^^"');
    for (const argument of TRICKY) {
      const once = escapeCmdArgument(argument, false);
      assert.ok(!/(^|[^^])[&|<>]/.test(once), once);
      assert.deepEqual(parseArgv(cmdUnescape(once)), [argument], argument);
      assert.deepEqual(parseArgv(cmdUnescape(cmdUnescape(escapeCmdArgument(argument, true)))), [argument], argument);
    }
  });

  it('finds a bare name in PATH with PATHEXT, in their order', () => {
    const options = windows(['C:\\nodejs\\npm', 'C:\\nodejs\\npm.cmd', 'C:\\nodejs\\npm.ps1', 'C:\\Program Files\\tools\\npm.exe']);
    // The first folder wins over a better extension in a later one; in a folder, PATHEXT's order wins.
    assert.equal(findWindowsCommand('npm', options), 'C:\\nodejs\\npm.cmd');
    assert.equal(findWindowsCommand('npm', windows(['C:\\nodejs\\npm.cmd', 'C:\\nodejs\\npm.bat'])), 'C:\\nodejs\\npm.bat');
    // The file system ignores case; the name found is spelled with PATHEXT's extension.
    assert.equal(findWindowsCommand('npm', windows(['C:\\nodejs\\npm.cmd'], { PATHEXT: '.CMD;.BAT' })), 'C:\\nodejs\\npm.CMD');
    // A quoted PATH folder; a name that has its extension already is tried as written first.
    assert.equal(findWindowsCommand('tool', windows(['C:\\Program Files\\tools\\tool.exe'])), 'C:\\Program Files\\tools\\tool.exe');
    assert.equal(findWindowsCommand('run.ps1', windows(['C:\\nodejs\\run.ps1'])), 'C:\\nodejs\\run.ps1');
    // Not in the current folder for a bare name; there when the name says so.
    assert.equal(findWindowsCommand('setup', windows(['C:\\project\\setup.bat'])), undefined);
    assert.equal(findWindowsCommand('.\\setup', windows(['C:\\project\\setup.bat'])), 'C:\\project\\setup.bat');
    assert.equal(findWindowsCommand('scripts/go', windows(['C:\\project\\scripts\\go.cmd'])), 'C:\\project\\scripts\\go.cmd');
    assert.equal(findWindowsCommand('D:\\bin\\x', windows(['D:\\bin\\x.exe'])), 'D:\\bin\\x.exe');
    // PATHEXT unset: Windows' defaults.
    assert.equal(findWindowsCommand('npm', windows(['C:\\nodejs\\npm.cmd'], { PATHEXT: '' })), 'C:\\nodejs\\npm.CMD');
  });

  it('runs .cmd and .bat through cmd.exe with one verbatim command line', () => {
    const plan = resolveSpawn('npm', ['run', 'start', 'a b', 'x&y'], windows(['C:\\nodejs\\npm.cmd']));
    assert.deepEqual(plan, {
      command: 'C:\\Windows\\System32\\cmd.exe',
      args: ['/d', '/s', '/c', '"C:\\nodejs\\npm.cmd ^"run^" ^"start^" ^"a^ b^" ^"x^&y^""'],
      windowsVerbatimArguments: true,
    });
    const spaced = resolveSpawn('tool', [], windows(['C:\\Program Files\\tools\\tool.bat']));
    assert.equal(spaced?.args[3], '"C:\\Program^ Files\\tools\\tool.bat"');
    const shim = resolveSpawn('.\\node_modules\\.bin\\tsc', ['a&b'], windows(['C:\\project\\node_modules\\.bin\\tsc.cmd']));
    assert.equal(shim?.args[3], '"C:\\project\\node_modules\\.bin\\tsc.cmd ^^^"a^^^&b^^^""');
    assert.equal(resolveSpawn('npm', [], windows(['C:\\nodejs\\npm.cmd'], { ComSpec: '' }))?.command, 'cmd.exe');
  });

  it('runs .ps1 through PowerShell and .exe directly, with arguments as an array', () => {
    assert.deepEqual(resolveSpawn('deploy', ['-Env', 'prod x'], windows(['C:\\nodejs\\deploy.ps1'])), {
      command: 'powershell.exe',
      args: ['-NoProfile', '-ExecutionPolicy', 'Bypass', '-File', 'C:\\nodejs\\deploy.ps1', '-Env', 'prod x'],
    });
    assert.deepEqual(resolveSpawn('node', ['a b'], windows(['C:\\nodejs\\node.exe'])), { command: 'C:\\nodejs\\node.exe', args: ['a b'] });
    assert.equal(resolveSpawn('missing', [], windows([])), null);
  });

  it('leaves commands to spawn elsewhere', () => {
    const options: ResolveOptions = { platform: 'linux', cwd: '/w', env: { PATH: '/usr/bin' }, isFile: () => false };
    assert.deepEqual(resolveSpawn('npm', ['a&b'], options), { command: 'npm', args: ['a&b'] });
  });

  it('reads environment names case-insensitively on Windows only', () => {
    assert.equal(envValue({ Path: 'x' }, 'PATH', 'win32'), 'x');
    assert.equal(envValue({ Path: 'x' }, 'PATH', 'linux'), undefined);
  });
});

describe('executable checks (corral.nodePath)', () => {
  const probe = (files: string[], executable: string[] = files) => ({
    isFile: (file: string) => files.includes(file),
    isExecutable: (file: string) => executable.includes(file),
  });

  it('on Windows accepts a path without .exe when the .exe is there, as CreateProcess does', () => {
    assert.equal(executableProblem('C:\\node\\node', 'win32', probe(['C:\\node\\node.exe'])), undefined);
    assert.equal(executableProblem('C:\\node\\node.exe', 'win32', probe(['C:\\node\\node.exe'], [])), undefined, 'no execute bit to ask for');
    assert.equal(executableProblem('C:\\node\\node.exe', 'win32', probe([])), 'does not exist or is not a file');
    // An extension given is the file meant: no .exe is added to it.
    assert.equal(executableProblem('C:\\node\\node.bin', 'win32', probe(['C:\\node\\node.bin.exe'])), 'does not exist or is not a file');
  });

  it('on macOS and Linux wants a file with the execute bit', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      assert.equal(executableProblem('/opt/node/bin/node', platform, probe(['/opt/node/bin/node'])), undefined);
      assert.equal(executableProblem('/opt/node/bin/node', platform, probe(['/opt/node/bin/node'], [])), 'is not executable');
      assert.equal(executableProblem('/opt/node/bin/node', platform, probe(['/opt/node/bin/node.exe'])), 'does not exist or is not a file');
    }
  });

  it('tells a path from a command name by the platform’s separators', () => {
    assert.ok(hasPathSeparator('C:\\node\\node.exe', 'win32'));
    assert.ok(hasPathSeparator('tools/node', 'win32'));
    assert.ok(!hasPathSeparator('node', 'win32'));
    assert.ok(hasPathSeparator('/usr/bin/node', 'darwin'));
    assert.ok(!hasPathSeparator('node\\x', 'linux'));
  });
});
