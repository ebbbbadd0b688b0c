import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, PROCESSES_VIEW } from '../../../src/extension/command-ids';

// Run from dist/test/unit/extension: package.json and src/ are at the repository root.
const root = path.resolve(__dirname, '..', '..', '..', '..');
const contributes = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).contributes;
const extensionDir = path.join(root, 'src', 'extension');
const sources = readdirSync(extensionDir, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(path.join(extensionDir, file), 'utf8') }));

const table = Object.values(COMMANDS);

function duplicates(items: string[]): string[] {
  return items.filter((item, index) => items.indexOf(item) !== index);
}

/** Every command package.json names outside `commands`: menus, keybindings and `command:` links in welcome views. */
function referencedCommands(): Array<{ where: string; command: string }> {
  const references: Array<{ where: string; command: string }> = [];
  for (const [menu, entries] of Object.entries(contributes.menus ?? {}) as Array<[string, Array<{ command?: string }>]>) {
    for (const entry of entries) if (entry.command) references.push({ where: `menus["${menu}"]`, command: entry.command });
  }
  for (const binding of (contributes.keybindings ?? []) as Array<{ command: string }>) references.push({ where: 'keybindings', command: binding.command });
  for (const welcome of (contributes.viewsWelcome ?? []) as Array<{ contents: string }>) {
    for (const [, command] of welcome.contents.matchAll(/\(command:([\w.]+)/g)) references.push({ where: 'viewsWelcome', command });
  }
  return references;
}

describe('VS Code command ids (COMMANDS, package.json, registration)', () => {
  it('package.json contributes exactly the commands of COMMANDS, each once', () => {
    const declared = (contributes.commands as Array<{ command: string }>).map((entry) => entry.command);
    assert.deepEqual(duplicates(declared), [], 'contributes.commands lists a command twice');
    assert.deepEqual(duplicates(table), [], 'COMMANDS has two keys for one id');
    assert.deepEqual(
      declared.filter((id) => !table.includes(id as never)),
      [],
      'in contributes.commands but not in COMMANDS (src/extension/command-ids.ts)',
    );
    assert.deepEqual(
      table.filter((id) => !declared.includes(id)),
      [],
      'in COMMANDS but not in contributes.commands (package.json)',
    );
  });

  it('every menu entry, keybinding and welcome-view link names a command of COMMANDS', () => {
    const references = referencedCommands();
    assert.ok(references.length > 0, 'found no menus in package.json');
    assert.deepEqual(
      references.filter(({ command }) => !table.includes(command as never)),
      [],
    );
  });

  it('the process view is the one package.json declares', () => {
    const views = Object.values(contributes.views as Record<string, Array<{ id: string }>>).flat();
    assert.ok(
      views.some((view) => view.id === PROCESSES_VIEW),
      `${PROCESSES_VIEW} is not in contributes.views`,
    );
  });

  it('every id of COMMANDS has a handler, registered in one place', () => {
    // commands.ts registers a handler table typed by CommandId (the compiler holds it complete);
    // this reads the table's keys back and checks that nothing registers commands elsewhere.
    const registrations = sources.flatMap(({ file, text }) => [...text.matchAll(/registerCommand\(/g)].map(() => file));
    assert.deepEqual(registrations, ['commands.ts'], 'vscode.commands.registerCommand is called outside the handler table');
    const commands = sources.find(({ file }) => file === 'commands.ts')!.text;
    const handled = [...commands.matchAll(/^\s*\[COMMANDS\.(\w+)\]:/gm)].map((match) => match[1]);
    assert.deepEqual(duplicates(handled), []);
    assert.deepEqual([...handled].sort(), Object.keys(COMMANDS).sort());
  });

  it('src/extension names command ids only through COMMANDS', () => {
    const literal = /(?:executeCommand(?:<[^>]*>)?\(|registerCommand\(|\bcommand\s*[:=]\s*)['"`]corral\./;
    const offenders = sources
      .filter(({ file }) => file !== 'command-ids.ts')
      .flatMap(({ file, text }) => text.split('\n').flatMap((line, index) => (literal.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])));
    assert.deepEqual(offenders, []);
  });
});
