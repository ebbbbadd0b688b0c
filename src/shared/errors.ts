/** Error codes that cross the wire. Keep them stable: clients switch on them. */
export const ErrorCode = {
  BadConfig: 'E_CONFIG',
  BadArgument: 'E_ARGUMENT',
  NotFound: 'E_NOT_FOUND',
  AlreadyExists: 'E_EXISTS',
  ScriptNotFound: 'E_SCRIPT_NOT_FOUND',
  Unsupported: 'E_UNSUPPORTED',
  Timeout: 'E_TIMEOUT',
  DaemonUnavailable: 'E_DAEMON_UNAVAILABLE',
  ProtocolMismatch: 'E_PROTOCOL',
  Io: 'E_IO',
  /** CORRAL_HOME is someone else's, or others could write into it: nothing is started there. */
  UnsafeHome: 'E_HOME',
  Internal: 'E_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class CorralError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorralError';
    this.code = code;
  }
}

/** The shape an error takes on the wire. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof CorralError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message };
}

export function fromWireError(wire: WireError): CorralError {
  return new CorralError(wire.code, wire.message);
}
