/**
 * What a chunk of complete output lines becomes in a log file: the bytes as they came, time-stamped
 * lines (PM2's `time` / `log_date_format`), or one JSON object per line (PM2's `log_type: 'json'`).
 */
import type { AppConfig } from '../shared/config';
import { toLines } from './line-splitter';
import { DEFAULT_DATE_FORMAT, formatDate, prefixLines } from '../shared/timestamp';

export type StreamKind = 'out' | 'err';

export interface Formatted {
  /** What goes into the file. */
  data: Buffer | string;
  /** The chunk's lines, when formatting had to split them (reused for live events). */
  lines: string[] | null;
}

type FormatOptions = Pick<AppConfig, 'name' | 'time' | 'log_date_format' | 'log_type'>;

/** `complete` holds whole lines, each ending in \n (line-splitter.ts). */
export function formatForFile(complete: Buffer, kind: StreamKind, processId: number, app: FormatOptions, now = new Date()): Formatted {
  if (app.log_type === 'json') {
    const lines = toLines(complete);
    const timestamp = app.log_date_format ? formatDate(now, app.log_date_format) : now.toISOString();
    let data = '';
    for (const message of lines) data += `${JSON.stringify({ message, timestamp, type: kind, process_id: processId, app_name: app.name })}\n`;
    return { data, lines };
  }
  if (app.time || app.log_date_format) {
    const lines = toLines(complete);
    return { data: prefixLines(lines, formatDate(now, app.log_date_format ?? DEFAULT_DATE_FORMAT)), lines };
  }
  return { data: complete, lines: null };
}
