/**
 * `depends_on`: the graph of start order between apps, as pure functions. The daemon's orchestration
 * (src/daemon/start-order.ts) waits along it; validation and the stop order come from here.
 */

export interface DependencyNode {
  name: string;
  depends_on: readonly string[];
}

/** The dependencies of apps the daemon already knows (not among those checked), by name. */
export type KnownDependencies = ReadonlyMap<string, readonly string[]>;

/**
 * Every problem with the `depends_on` of `apps` (in their order), as one-line messages: an app naming
 * itself, a name that is neither among `apps` nor in `known` (skipped when `known` is null: the loader
 * of a file cannot know the daemon's apps), a cycle (through known apps too). `source` names the file.
 */
export function dependencyProblems(apps: readonly DependencyNode[], known: KnownDependencies | null, source = ''): string[] {
  const prefix = (index: number): string => `${source ? `${source}: ` : ''}apps[${index}].depends_on`;
  const graph = new Map<string, readonly string[]>(known ?? []);
  for (const app of apps) graph.set(app.name, app.depends_on);
  const problems: string[] = [];
  const broken = new Set<string>();
  apps.forEach((app, index) => {
    for (const dependency of app.depends_on) {
      if (dependency === app.name) {
        problems.push(`${prefix(index)}: "${app.name}" depends on itself`);
        broken.add(app.name);
      } else if (known !== null && !graph.has(dependency)) {
        problems.push(`${prefix(index)}: no app named "${dependency}" in this file or known to the daemon`);
      }
    }
  });
  const reported = new Set<string>();
  apps.forEach((app, index) => {
    if (broken.has(app.name) || reported.has(app.name)) return;
    const cycle = cycleFrom(app.name, graph, broken);
    if (!cycle) return;
    for (const name of cycle) reported.add(name);
    problems.push(`${prefix(index)}: cycle ${cycle.join(' -> ')}`);
  });
  return problems;
}

/** A cycle through `start` (start -> ... -> start), or null; `skip` holds self-loops already reported. */
function cycleFrom(start: string, graph: ReadonlyMap<string, readonly string[]>, skip: ReadonlySet<string>): string[] | null {
  const path: string[] = [];
  const done = new Set<string>();
  const visit = (name: string): string[] | null => {
    if (name === start && path.length > 0) return [...path, start];
    if (done.has(name) || path.includes(name) || skip.has(name)) return null;
    path.push(name);
    for (const next of graph.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    done.add(name);
    return null;
  };
  return visit(start);
}

/**
 * The apps in start order as waves: each wave depends only on earlier waves (or on apps outside the
 * list), so a wave's apps may start in parallel. The graph must have no cycle (dependencyProblems).
 */
export function startWaves(apps: readonly DependencyNode[]): string[][] {
  const inList = new Map(apps.map((app) => [app.name, app.depends_on.filter((name) => name !== app.name)]));
  const placed = new Set<string>();
  const waves: string[][] = [];
  while (placed.size < inList.size) {
    const wave = [...inList].filter(([name, deps]) => !placed.has(name) && deps.every((dep) => placed.has(dep) || !inList.has(dep))).map(([name]) => name);
    if (wave.length === 0) throw new Error(`depends_on: a cycle among ${[...inList.keys()].filter((name) => !placed.has(name)).join(', ')}`);
    for (const name of wave) placed.add(name);
    waves.push(wave);
  }
  return waves;
}

/** The stop order: dependents before what they depend on (the start waves reversed). */
export function stopWaves(apps: readonly DependencyNode[]): string[][] {
  return startWaves(apps).reverse();
}

/** `names` and everything they depend on, transitively, in the graph (names missing from it stay as they are). */
export function withDependencies(names: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found = new Set<string>();
  const add = (name: string): void => {
    if (found.has(name)) return;
    found.add(name);
    for (const dependency of graph.get(name) ?? []) add(dependency);
  };
  for (const name of names) add(name);
  return [...found];
}
