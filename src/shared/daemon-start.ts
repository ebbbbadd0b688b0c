/**
 * How a daemon started by the client tells it how its start-up went: one line on an extra pipe
 * (fd 3), then the pipe is closed. The client waits on that line instead of polling for 10 s, and a
 * refusal (an unsafe home) reaches the user as the daemon's own one-line reason.
 */
import { printable } from './printable';

/** The variable that names the fd; the daemon removes it from its env, so apps never see it. */
export const START_REPORT_FD_ENV = 'CORRAL_START_REPORT_FD';
export const START_REPORT_FD = 3;
/** The daemon's exit code when it refuses the home (sysexits' EX_CONFIG). */
export const EXIT_HOME_REFUSED = 78;

export type StartReport =
  | { kind: 'ready' }
  /** Another daemon holds the home; its pid when it said one. */
  | { kind: 'held'; pid: number | null }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string };

export function formatStartReport(report: StartReport): string {
  switch (report.kind) {
    case 'ready':
      return 'ready\n';
    case 'held':
      return `held ${report.pid ?? ''}\n`;
    default:
      return `${report.kind} ${report.reason.split('\n')[0]}\n`;
  }
}

/** The first line of what the daemon wrote; null when it wrote nothing we understand. */
export function parseStartReport(text: string): StartReport | null {
  const line = text.split('\n')[0];
  const space = line.indexOf(' ');
  const kind = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  if (kind === 'ready') return { kind };
  if (kind === 'held') return { kind, pid: /^\d{1,10}$/.test(rest) ? Number(rest) : null };
  // The daemon is ours, but its reason quotes paths and text from the home: never print it raw.
  if (kind === 'refused' || kind === 'failed') return { kind, reason: printable(rest, 500) };
  return null;
}
