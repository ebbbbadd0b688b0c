/**
 * What a target word names, the same rule in the daemon and in every client: `all` is every process;
 * a number is the process with that id, or (PM2 allows `--name 455`) the app of that name when no
 * process has the id; otherwise the processes of that app name, or else of that namespace.
 */
export interface Named {
  id: number;
  name: string;
  namespace: string;
}

export function matchTarget<T>(items: readonly T[], target: string, identity: (item: T) => Named): T[] {
  if (target === 'all') return [...items];
  if (/^\d+$/.test(target)) {
    const byId = items.filter((item) => identity(item).id === Number(target));
    if (byId.length > 0) return byId;
  }
  const byName = items.filter((item) => identity(item).name === target);
  return byName.length > 0 ? byName : items.filter((item) => identity(item).namespace === target);
}
