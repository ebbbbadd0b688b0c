import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { SourceMaps, sourceMappingUrl } from '../../../src/extension/source-maps';

const SOURCE = [
  'interface Options {',
  '  name: string;',
  '}',
  '',
  'export function run(options: Options): void {',
  '  const handler: any = undefined;',
  '  handler(options.name);',
  '}',
  '',
].join('\n');

/** The column (1-based, as V8 prints it) of `text` on `line` of the compiled file. */
function placeOf(file: string, text: string): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `${text} is not in ${file}`);
  return { line: index + 1, column: lines[index].indexOf(text) + 1 };
}

describe('SourceMaps', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-maps-'));
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), SOURCE);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function compile(sourcemap: 'linked' | 'inline'): string {
    const outfile = path.join(dir, 'dist', 'app.js');
    buildSync({ entryPoints: [path.join(dir, 'src', 'app.ts')], outfile, bundle: false, format: 'cjs', platform: 'node', sourcemap, logLevel: 'silent' });
    return outfile;
  }

  for (const kind of ['linked', 'inline'] as const) {
    it(`maps a place in compiled output back to the .ts file (${kind} map)`, () => {
      const outfile = compile(kind);
      const maps = new SourceMaps();
      const mapped = maps.map({ file: outfile, ...placeOf(outfile, 'handler(options.name)') });
      assert.deepEqual(mapped, { file: path.join(dir, 'src', 'app.ts'), line: 7, column: 3 });
    });
  }

  it('gives nothing for a file without a map, a missing file, a map that names a missing source, or a file over the bound', () => {
    const plain = path.join(dir, 'plain.js');
    fs.writeFileSync(plain, 'throw new Error("x");\n');
    const maps = new SourceMaps();
    assert.equal(maps.map({ file: plain, line: 1, column: 1 }), undefined);
    assert.equal(maps.map({ file: path.join(dir, 'missing.js'), line: 1, column: 1 }), undefined);
    const outfile = compile('linked');
    const place = placeOf(outfile, 'handler(options.name)');
    assert.equal(new SourceMaps(10).map({ file: outfile, ...place }), undefined);
    fs.rmSync(path.join(dir, 'src', 'app.ts'));
    assert.equal(maps.map({ file: outfile, ...place }), undefined);
  });

  it('reads the map again when the compiled file changes', () => {
    const outfile = compile('linked');
    const maps = new SourceMaps();
    assert.equal(maps.map({ file: outfile, ...placeOf(outfile, 'handler(options.name)') })?.line, 7);
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), `// one more line\n${SOURCE}`);
    const later = new Date(Date.now() + 5_000);
    compile('linked');
    fs.utimesSync(outfile, later, later);
    assert.equal(maps.map({ file: outfile, ...placeOf(outfile, 'handler(options.name)') })?.line, 8);
  });

  it('finds the last sourceMappingURL comment', () => {
    assert.equal(sourceMappingUrl('a\n//# sourceMappingURL=old.map\nb\n//# sourceMappingURL=app.js.map\n'), 'app.js.map');
    assert.equal(sourceMappingUrl('/*# sourceMappingURL=x.map */'), undefined);
    assert.equal(sourceMappingUrl('var s = "no map";'), undefined);
  });
});
