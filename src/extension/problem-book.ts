/**
 * The errors the Problems panel shows, per app, de-duplicated: the same error at the same place is one
 * problem with a count, however often a crash loop repeats it; a crash of what was first only logged
 * makes it a crash. Pure (no `vscode` import): unit-tested in plain Node.
 */
import type { Located } from './crash-stack';

export type ProblemKind = 'crashed' | 'logged';

export interface ProblemReport {
  app: string;
  /** The process that wrote it (the quick fixes act on it). */
  processId: number;
  kind: ProblemKind;
  /** `TypeError: x is not a function`. */
  title: string;
  /** The daemon's time of the exit, or of the log line. */
  at: number;
  place: Located;
  /** The other workspace frames, top first. */
  related: Located[];
  /** Crashes this report stands for (exits close together are read once); 1 without it. */
  times?: number;
}

export interface Problem extends ProblemReport {
  key: string;
  count: number;
  /** `api crashed: TypeError: x is not a function`. */
  message: string;
}

/** Distinct problems kept per app; the oldest go first. */
export const MAX_PROBLEMS_PER_APP = 5;

export function problemMessage(kind: ProblemKind, app: string, title: string): string {
  return `${app} ${kind}: ${title}`;
}

export class ProblemBook {
  private readonly byApp = new Map<string, Map<string, Problem>>();

  /** Records a report; returns the problem it is now part of. */
  add(report: ProblemReport): Problem {
    const key = `${report.place.file}:${report.place.line}\n${report.title}`;
    let problems = this.byApp.get(report.app);
    if (!problems) this.byApp.set(report.app, (problems = new Map()));
    const known = problems.get(key);
    const kind: ProblemKind = known?.kind === 'crashed' ? 'crashed' : report.kind;
    const problem: Problem = {
      ...report,
      kind,
      key,
      count: (known?.count ?? 0) + (report.times ?? 1),
      message: problemMessage(kind, report.app, report.title),
    };
    problems.delete(key); // re-inserted last: the most recent
    problems.set(key, problem);
    while (problems.size > MAX_PROBLEMS_PER_APP) problems.delete(problems.keys().next().value as string);
    return problem;
  }

  forApp(app: string): Problem[] {
    return [...(this.byApp.get(app)?.values() ?? [])];
  }

  /** The app's most recent problem. */
  last(app: string): Problem | undefined {
    return this.forApp(app).at(-1);
  }

  apps(): string[] {
    return [...this.byApp.keys()];
  }

  /** Forgets the app's problems that happened before `before` (all without it); true when any went. */
  clearApp(app: string, before = Infinity): boolean {
    const problems = this.byApp.get(app);
    if (!problems) return false;
    let changed = false;
    for (const [key, problem] of problems) {
      if (problem.at >= before) continue;
      problems.delete(key);
      changed = true;
    }
    if (problems.size === 0) this.byApp.delete(app);
    return changed;
  }

  remove(app: string, key: string): boolean {
    const problems = this.byApp.get(app);
    if (!problems?.delete(key)) return false;
    if (problems.size === 0) this.byApp.delete(app);
    return true;
  }

  clear(): boolean {
    const had = this.byApp.size > 0;
    this.byApp.clear();
    return had;
  }
}
