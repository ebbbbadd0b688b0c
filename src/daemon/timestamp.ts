/** Log line prefixes: PM2's `time` and `log_date_format` (a subset of the day.js tokens). */
const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DDTHH:mm:ss';

export function formatDate(date: Date, format: string): string {
  return format.replace(/\[([^\]]*)]|YYYY|MM|DD|HH|mm|ss|SSS|ZZ|Z/g, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY': return String(date.getFullYear());
      case 'MM': return pad(date.getMonth() + 1);
      case 'DD': return pad(date.getDate());
      case 'HH': return pad(date.getHours());
      case 'mm': return pad(date.getMinutes());
      case 'ss': return pad(date.getSeconds());
      case 'SSS': return pad(date.getMilliseconds(), 3);
      default: {
        const offset = -date.getTimezoneOffset();
        const sign = offset >= 0 ? '+' : '-';
        const hours = pad(Math.floor(Math.abs(offset) / 60));
        const minutes = pad(Math.abs(offset) % 60);
        return token === 'Z' ? `${sign}${hours}:${minutes}` : `${sign}${hours}${minutes}`;
      }
    }
  });
}

/** Prefixes every line of a buffer of complete lines with `<stamp>: `. */
export function prefixLines(lines: string[], stamp: string): string {
  let out = '';
  for (const line of lines) out += `${stamp}: ${line}\n`;
  return out;
}
