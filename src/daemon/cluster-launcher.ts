/**
 * Cluster mode: each cluster app gets a small primary process of its own (dist/primary.js), and
 * each of its instances is a worker of that primary running dist/container.js, which loads the app's
 * entry. The daemon is nobody's cluster primary: an app that signals its process group, or hands
 * over connections, never touches the daemon or another app, and every worker gets exactly its env.
 */
import * as path from 'node:path';
import type { ChildHandle } from './child-handle';
import { ClusterPrimary, type PrimaryOptions } from './cluster-primary';
import type { LaunchSpec } from './fork-launcher';

export class ClusterLauncher {
  /** The live primary of each app, by app name. */
  private readonly primaries = new Map<string, ClusterPrimary>();

  constructor(private readonly options: PrimaryOptions) {}

  launch(spec: LaunchSpec): ChildHandle {
    const { name } = spec.app;
    let primary = this.primaries.get(name);
    if (!primary || primary.closed) {
      const created: ClusterPrimary = new ClusterPrimary(spec, this.options, () => {
        if (this.primaries.get(name) === created) this.primaries.delete(name);
      });
      primary = created;
      this.primaries.set(name, primary);
    }
    return primary.fork(spec);
  }
}

export const defaultContainerScript = (): string => path.join(__dirname, 'container.js');
export const defaultPrimaryScript = (): string => path.join(__dirname, 'primary.js');
