/** `corral import pm2 [dump]`: the apps of a PM2 dump, started under Corral or written as an ecosystem file. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import { ecosystemFromApps } from '../../client/ecosystem';
import { appsFromPm2Dump, ecosystemText, withoutEnvValues } from '../../client/pm2-dump';
import { CorralError, ErrorCode } from '../../shared/errors';
import { safeText } from '../../shared/terminal-text';
import type { CommandEntry } from '../command';
import { connect, done, LONG_CALL_MS, note, printWarnings, type Context } from '../context';
import { showList } from './info';

const ECOSYSTEM_NAME = /\.(c|m)?js$|\.json$|\.ya?ml$/i;

/** PM2's own default: `$PM2_HOME/dump.pm2`, PM2_HOME being ~/.pm2 unless set. */
function defaultDump(): string {
  return join(process.env.PM2_HOME || join(homedir(), '.pm2'), 'dump.pm2');
}

function readDump(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CorralError(ErrorCode.NotFound, `import pm2: no PM2 dump at ${file} (run "pm2 save" first, or give the dump's path)`);
    throw new CorralError(ErrorCode.Io, `import pm2: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorralError(ErrorCode.BadConfig, `import pm2: ${file}: not JSON (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
}

/**
 * Positionals after `pm2`: the dump, and with --write the ecosystem file to write (told apart by its
 * extension: `import pm2 old.pm2 --write apps.config.js`, `import pm2 --write apps.yaml`).
 */
function files(ctx: Context): { dump: string; output: string | undefined } {
  const [source, ...rest] = ctx.positionals;
  if (source !== 'pm2') throw new CorralError(ErrorCode.BadArgument, `import: only "import pm2 [dump file]" is supported, not ${JSON.stringify(source ?? '')}`);
  const write = ctx.values.write === true;
  const outputs = write ? rest.filter((file) => ECOSYSTEM_NAME.test(file)) : [];
  const dumps = rest.filter((file) => !outputs.includes(file));
  if (dumps.length > 1 || outputs.length > 1)
    throw new CorralError(ErrorCode.BadArgument, `import pm2: one dump file and (with --write) one ecosystem file, got ${rest.join(' ')}`);
  return { dump: resolve(dumps[0] ?? defaultDump()), output: write ? resolve(outputs[0] ?? 'ecosystem.config.js') : undefined };
}

async function importCommand(ctx: Context): Promise<void> {
  const { dump, output } = files(ctx);
  const { apps, notes } = appsFromPm2Dump(readDump(dump), dump, dirname(dump), process.env);
  // The same checks as an ecosystem file's, before anything is written or started.
  const { apps: normalized, warnings } = ecosystemFromApps(apps, dump, dirname(dump), { baseEnv: process.env });
  printWarnings(ctx, warnings);
  for (const line of notes) note(ctx, line);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = (value: unknown): string => (require('yaml') as typeof Yaml).stringify(value);

  if (ctx.values['dry-run'] === true) {
    ctx.out(ecosystemText(withoutEnvValues(apps), output ?? 'ecosystem.config.js', yaml).trimEnd());
    return;
  }
  if (output) {
    if (existsSync(output) && ctx.values.force !== true)
      throw new CorralError(ErrorCode.BadArgument, `import pm2: ${output} exists (add --force to replace it)`);
    // Owner-only: it holds the apps' environment values.
    writeFileSync(output, ecosystemText(apps, output, yaml), { mode: 0o600 });
    chmodSync(output, 0o600);
    done(
      ctx,
      `wrote ${safeText(output)}: ${apps.length} app${apps.length === 1 ? '' : 's'} from ${safeText(dump)} (start them with: corral start ${safeText(basename(output))})`,
    );
    return;
  }
  const client = await connect();
  const started = await client.call('start', { apps: normalized, replace: true }, LONG_CALL_MS);
  done(ctx, `imported ${apps.length} app${apps.length === 1 ? '' : 's'} (${started.length} process${started.length === 1 ? '' : 'es'}) from ${safeText(dump)}`);
  if (!ctx.values.silent) await showList(ctx);
}

export const importCommands: readonly CommandEntry[] = [
  {
    names: ['import'],
    usage: 'pm2 [dump] [--dry-run | --write [file]] [--force]',
    summary: "start the apps of a PM2 dump (default $PM2_HOME/dump.pm2, what 'pm2 save' writes) under Corral",
    details: [
      '--dry-run prints the ecosystem file it would use (env values hidden); --write writes it (default ecosystem.config.js, 0600) instead of starting',
      'what cannot be carried over is listed; env keeps only values that differ from your environment, without PM2_* variables',
    ],
    run: importCommand,
  },
];
