/**
 * Text that came from another process or from a file someone else could have written, made safe to
 * print: control characters (ANSI escapes, carriage returns, NULs) are shown as \xNN, never obeyed
 * by a terminal or written raw into a log, and the length is capped.
 */
export function printable(text: string, maxLength = 200): string {
  // C0, DEL and C1 (0x9b is a one-byte CSI on some terminals).
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > maxLength ? `${escaped.slice(0, maxLength)}…` : escaped;
}
