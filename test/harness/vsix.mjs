// The e2e suites test what users install: the extension packed by vsce (honouring .vscodeignore, as
// `npm run package` does, minus its minified build) and installed into the run's code-server.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { InfrastructureError } from './outcome.mjs';
import { runToCompletion } from './processes.mjs';

const require = createRequire(import.meta.url);

/** Packs the working tree's build into `outFile`; resolves with its size in bytes. */
export async function packageVsix({ repoRoot, outFile, env }) {
  const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  try {
    await runToCompletion(process.execPath, [vsce, 'package', '--no-dependencies', '--out', outFile], { cwd: repoRoot, env, timeoutMs: 120_000 });
  } catch (error) {
    throw new InfrastructureError('vsce could not package the extension', { cause: error });
  }
  return statSync(outFile).size;
}

/** Installs the .vsix into the sandbox's extensions folder with code-server's own installer. */
export async function installVsix({ install, sandbox, vsix }) {
  try {
    await runToCompletion(
      install.nodeBin,
      [install.codeServerEntry, '--install-extension', vsix, '--extensions-dir', sandbox.extensions, '--user-data-dir', sandbox.userData, '--force'],
      { cwd: sandbox.workspace, env: sandbox.env(), timeoutMs: 120_000 },
    );
  } catch (error) {
    throw new InfrastructureError(`code-server could not install ${vsix}`, { cause: error });
  }
}
