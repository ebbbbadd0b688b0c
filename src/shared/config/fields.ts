/**
 * Reads the fields of one app. A bad value becomes a problem naming the field (and the reader returns
 * the fallback), so normalizeApp reports every bad field at once instead of the first.
 */
import { resolve } from 'node:path';
import { parseDuration, splitArgs } from '../units';
import { describeValue, NUL_PROBLEM } from './values';

export class FieldReader {
  /** The app's options under their canonical names. */
  readonly input: Record<string, unknown> = {};
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  /** `where`: the file and apps[i] for messages; `rename`: how a caller names fields (the CLI: its flags). */
  constructor(
    private readonly where: string,
    private readonly rename?: (field: string) => string,
  ) {}

  label(field: string): string {
    const name = this.rename ? this.rename(field) : field;
    return this.where ? `${this.where}.${name}`.replace(': .', ': ') : name;
  }

  fail(field: string, message: string): void {
    this.problems.push(`${this.label(field)}: ${message}`);
  }

  expected(field: string, what: string, got: unknown): void {
    this.fail(field, `expected ${what}, got ${describeValue(got)}`);
  }

  /** Set to something: undefined and null both mean "not given". */
  given(field: string): boolean {
    return this.input[field] !== undefined && this.input[field] !== null;
  }

  string(field: string): string | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      this.expected(field, 'a non-empty string', value);
      return undefined;
    }
    if (value.includes('\0')) {
      this.fail(field, NUL_PROBLEM);
      return undefined;
    }
    return value;
  }

  bool(field: string, fallback: boolean): boolean {
    const value = this.input[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.expected(field, 'true or false', value);
    return fallback;
  }

  int(field: string, fallback: number, min: number): number {
    const value = this.input[field];
    if (value === undefined || value === null) return fallback;
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min) {
      this.expected(field, min === 0 ? 'a whole number of 0 or more' : `a whole number of at least ${min}`, value);
      return fallback;
    }
    return number;
  }

  duration(field: string, fallback: number): number {
    const value = this.input[field];
    if (value === undefined || value === null) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined) {
      this.expected(field, 'a duration in milliseconds of 0 or more (or "2s", "1m")', value);
      return fallback;
    }
    return ms;
  }

  /** A list of arguments: an array, or a string split as a shell would (without running one). */
  args(field: string): string[] {
    const value = this.input[field];
    if (value === undefined || value === null) return [];
    if (typeof value === 'string' && value.includes('\0')) {
      this.fail(field, NUL_PROBLEM);
      return [];
    }
    if (typeof value === 'string') {
      try {
        return splitArgs(value);
      } catch (error) {
        this.fail(field, (error as Error).message);
        return [];
      }
    }
    if (Array.isArray(value) && value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
      const args = value.map(String);
      const bad = args.findIndex((arg) => arg.includes('\0'));
      if (bad >= 0) this.fail(`${field}[${bad}]`, NUL_PROBLEM);
      return bad >= 0 ? [] : args;
    }
    this.expected(field, 'a string or an array of strings', value);
    return [];
  }

  stringList(field: string, fallback: string[]): string[] {
    const value = this.input[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && value !== '') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')) return value as string[];
    this.expected(field, 'a string or an array of strings', value);
    return fallback;
  }

  path(field: string, base: string): string | null {
    const value = this.string(field);
    if (value === undefined) return null;
    // PM2 writes "NULL" (or /dev/null) to turn a log off.
    return value === '/dev/null' || value === 'NULL' ? '/dev/null' : resolve(base, value);
  }
}
