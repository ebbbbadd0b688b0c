/**
 * Text that came from another process or from a file someone else could have written, made safe to
 * print on one line: every control, bidi and invisible character shown escaped (terminal-text.ts),
 * never obeyed by a terminal or written raw into a log, and the length capped.
 */
import { safeText } from './terminal-text';

export function printable(text: string, maxLength = 200): string {
  const escaped = safeText(text);
  return escaped.length > maxLength ? `${escaped.slice(0, maxLength)}…` : escaped;
}
