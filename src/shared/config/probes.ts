/**
 * Health probes (readiness_probe, liveness_probe), Kubernetes' shape: exactly one of http_get,
 * tcp_socket or exec, and the timing fields. Pure: the reading names each bad field, and the
 * normalized form is itself valid input (the daemon re-reads what a client sends).
 */
import { describeValue, NUL_PROBLEM } from './values';

export const PROBE_KINDS = ['http_get', 'tcp_socket', 'exec'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** A port number, or the name of a variable of the app's env that holds one (`'PORT'`). */
export type ProbePort = number | string;

export interface HttpGetProbe {
  port: ProbePort;
  path: string;
  host: string;
  scheme: 'http' | 'https';
}

export interface TcpSocketProbe {
  port: ProbePort;
  host: string;
}

export interface ExecProbe {
  /** argv, run without a shell; exit code 0 passes. */
  command: string[];
}

export interface ProbeTiming {
  initial_delay_ms: number;
  period_ms: number;
  timeout_ms: number;
  /** Failures in a row that make the probe fail. */
  failure_threshold: number;
  /** Successes in a row that make it pass. */
  success_threshold: number;
}

export type ProbeConfig = ProbeTiming & ({ http_get: HttpGetProbe } | { tcp_socket: TcpSocketProbe } | { exec: ExecProbe });

export const PROBE_DEFAULTS: ProbeTiming = { initial_delay_ms: 0, period_ms: 1000, timeout_ms: 1000, failure_threshold: 3, success_threshold: 1 };

const DEFAULT_HOST = '127.0.0.1';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Fail = (field: string, message: string) => void;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads one probe; `fail` gets each problem with the field under the probe (`period_ms`, `http_get.port`). Null when not given or bad. */
export function readProbe(raw: unknown, fail: Fail): ProbeConfig | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    fail('', `expected an object with one of ${PROBE_KINDS.join(', ')}, got ${describeValue(raw)}`);
    return null;
  }
  const before = problems(fail);
  const timingKeys = Object.keys(PROBE_DEFAULTS);
  const unknown = Object.keys(raw).filter((key) => !(PROBE_KINDS as readonly string[]).includes(key) && !timingKeys.includes(key));
  for (const key of unknown) before.fail(key, `unknown probe kind or field (kinds: ${PROBE_KINDS.join(', ')}; fields: ${timingKeys.join(', ')})`);
  const kinds = PROBE_KINDS.filter((kind) => raw[kind] !== undefined && raw[kind] !== null);
  // An unknown key is most likely the kind, misspelt or not supported: said once, above.
  if (kinds.length === 0 && unknown.length === 0) before.fail('', `needs one of ${PROBE_KINDS.join(', ')}`);
  if (kinds.length > 1) before.fail('', `exactly one of ${PROBE_KINDS.join(', ')}, got ${kinds.join(' and ')}`);
  const timing: ProbeTiming = {
    initial_delay_ms: whole(raw, 'initial_delay_ms', 0, before.fail),
    period_ms: whole(raw, 'period_ms', 1, before.fail),
    timeout_ms: whole(raw, 'timeout_ms', 1, before.fail),
    failure_threshold: whole(raw, 'failure_threshold', 1, before.fail),
    success_threshold: whole(raw, 'success_threshold', 1, before.fail),
  };
  let probe: ProbeConfig | null = null;
  if (kinds.length === 1) {
    const kind = kinds[0];
    const body = raw[kind];
    if (!isObject(body)) before.fail(kind, `expected an object, got ${describeValue(body)}`);
    else if (kind === 'http_get') probe = { ...timing, http_get: readHttpGet(body, before.fail) };
    else if (kind === 'tcp_socket') probe = { ...timing, tcp_socket: readTcpSocket(body, before.fail) };
    else probe = { ...timing, exec: readExec(body, before.fail) };
  }
  return before.count() > 0 ? null : probe;
}

/** Counts the problems reported through `fail`. */
function problems(fail: Fail): { fail: Fail; count(): number } {
  let count = 0;
  return {
    fail: (field, message) => {
      count++;
      fail(field, message);
    },
    count: () => count,
  };
}

function whole(raw: Record<string, unknown>, field: keyof ProbeTiming, min: 0 | 1, fail: Fail): number {
  const value = raw[field];
  if (value === undefined || value === null) return PROBE_DEFAULTS[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
    fail(field, `${min === 1 ? 'must be a positive integer' : 'must be a whole number of 0 or more'}, got ${describeValue(value)}`);
    return PROBE_DEFAULTS[field];
  }
  return value;
}

function onlyKeys(body: Record<string, unknown>, kind: ProbeKind, allowed: string[], fail: Fail): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) fail(`${kind}.${key}`, `unknown field (expected ${allowed.join(', ')})`);
}

function readPort(body: Record<string, unknown>, kind: ProbeKind, fail: Fail): ProbePort {
  const value = body.port;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535) return Number(value);
  if (typeof value === 'string' && ENV_NAME.test(value)) return value;
  fail(`${kind}.port`, `expected a port number from 1 to 65535 or the name of an env variable such as "PORT", got ${describeValue(value)}`);
  return 0;
}

function readHost(body: Record<string, unknown>, kind: ProbeKind, fail: Fail): string {
  const value = body.host;
  if (value === undefined || value === null) return DEFAULT_HOST;
  if (typeof value !== 'string' || value === '' || /[\s\0/]/.test(value)) {
    fail(`${kind}.host`, `expected a host name or address, got ${describeValue(value)}`);
    return DEFAULT_HOST;
  }
  return value;
}

function readHttpGet(body: Record<string, unknown>, fail: Fail): HttpGetProbe {
  onlyKeys(body, 'http_get', ['port', 'path', 'host', 'scheme'], fail);
  const port = readPort(body, 'http_get', fail);
  const host = readHost(body, 'http_get', fail);
  let path = '/';
  if (body.path !== undefined && body.path !== null) {
    // eslint-disable-next-line no-control-regex
    if (typeof body.path !== 'string' || !body.path.startsWith('/') || /[\s\u0000-\u001f]/.test(body.path))
      fail('http_get.path', `expected a path starting with "/" (no spaces), got ${describeValue(body.path)}`);
    else path = body.path;
  }
  let scheme: HttpGetProbe['scheme'] = 'http';
  if (body.scheme !== undefined && body.scheme !== null) {
    const given = typeof body.scheme === 'string' ? body.scheme.toLowerCase() : body.scheme;
    if (given === 'http' || given === 'https') scheme = given;
    else fail('http_get.scheme', `expected "http" or "https", got ${describeValue(body.scheme)}`);
  }
  return { port, path, host, scheme };
}

function readTcpSocket(body: Record<string, unknown>, fail: Fail): TcpSocketProbe {
  onlyKeys(body, 'tcp_socket', ['port', 'host'], fail);
  return { port: readPort(body, 'tcp_socket', fail), host: readHost(body, 'tcp_socket', fail) };
}

function readExec(body: Record<string, unknown>, fail: Fail): ExecProbe {
  onlyKeys(body, 'exec', ['command'], fail);
  const { command } = body;
  if (!Array.isArray(command) || command.length === 0 || !command.every((item) => typeof item === 'string') || command[0] === '') {
    fail('exec.command', `expected a non-empty array of strings such as ["pg_isready", "-q"] (run without a shell), got ${describeValue(command)}`);
    return { command: [] };
  }
  const bad = command.findIndex((item: string) => item.includes('\0'));
  if (bad >= 0) {
    fail(`exec.command[${bad}]`, NUL_PROBLEM);
    return { command: [] };
  }
  return { command: [...(command as string[])] };
}

/** The kind of a probe and its target, in words: `http_get http://127.0.0.1:PORT/ready`. */
export function describeProbe(probe: ProbeConfig): string {
  if ('http_get' in probe) {
    const { scheme, host, port, path } = probe.http_get;
    return `http_get ${scheme}://${host}:${port}${path}`;
  }
  if ('tcp_socket' in probe) return `tcp_socket ${probe.tcp_socket.host}:${probe.tcp_socket.port}`;
  return `exec ${JSON.stringify(probe.exec.command)}`;
}
