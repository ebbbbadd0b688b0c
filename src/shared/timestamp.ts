/**
 * Dates as day.js formats them, which is what PM2's `log_date_format` and `logs --timestamp` take:
 * YYYY YY M MM MMM MMMM D DD d dd ddd dddd H HH h hh m mm s ss SSS SS S A a Z ZZ X x, and [literal].
 */
const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DDTHH:mm:ss';

function offset(date: Date, separator: string): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${separator}${pad(Math.abs(minutes) % 60)}`;
}

// Longest tokens first, so MMMM is not read as MM twice.
const TOKENS = /\[([^\]]*)]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x/g;

export function formatDate(date: Date, format: string): string {
  return format.replace(TOKENS, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    const hours12 = date.getHours() % 12 || 12;
    switch (token) {
      case 'YYYY':
        return String(date.getFullYear());
      case 'YY':
        return pad(date.getFullYear() % 100);
      case 'MMMM':
        return MONTHS[date.getMonth()];
      case 'MMM':
        return MONTHS[date.getMonth()].slice(0, 3);
      case 'MM':
        return pad(date.getMonth() + 1);
      case 'M':
        return String(date.getMonth() + 1);
      case 'DD':
        return pad(date.getDate());
      case 'D':
        return String(date.getDate());
      case 'dddd':
        return DAYS[date.getDay()];
      case 'ddd':
        return DAYS[date.getDay()].slice(0, 3);
      case 'dd':
        return DAYS[date.getDay()].slice(0, 2);
      case 'd':
        return String(date.getDay());
      case 'HH':
        return pad(date.getHours());
      case 'H':
        return String(date.getHours());
      case 'hh':
        return pad(hours12);
      case 'h':
        return String(hours12);
      case 'mm':
        return pad(date.getMinutes());
      case 'm':
        return String(date.getMinutes());
      case 'ss':
        return pad(date.getSeconds());
      case 's':
        return String(date.getSeconds());
      case 'SSS':
        return pad(date.getMilliseconds(), 3);
      case 'SS':
        return pad(Math.floor(date.getMilliseconds() / 10));
      case 'S':
        return String(Math.floor(date.getMilliseconds() / 100));
      case 'A':
        return date.getHours() < 12 ? 'AM' : 'PM';
      case 'a':
        return date.getHours() < 12 ? 'am' : 'pm';
      case 'ZZ':
        return offset(date, '');
      case 'Z':
        return offset(date, ':');
      case 'X':
        return String(Math.floor(date.getTime() / 1000));
      default:
        return String(date.getTime()); // x
    }
  });
}

/** Prefixes every line of a buffer of complete lines with `<stamp>: `. */
export function prefixLines(lines: string[], stamp: string): string {
  let out = '';
  for (const line of lines) out += `${stamp}: ${line}\n`;
  return out;
}
