/**
 * Runs inside a cluster worker and loads the user's entry. Cluster mode arrives with its own issue;
 * until then this only documents the contract: the entry path is in CORRAL_ENTRY.
 */
import { pathToFileURL } from 'node:url';

const entry = process.env.CORRAL_ENTRY;
if (!entry) {
  process.stderr.write('corral container: CORRAL_ENTRY is not set\n');
  process.exit(1);
}
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
dynamicImport(pathToFileURL(entry).href).catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
