// Minimal typings for the two wire libraries (they ship none). Only what Corral uses.
declare module 'pm2-axon' {
  import type { EventEmitter } from 'node:events';
  import type { Socket as NetSocket, Server } from 'node:net';
  export interface AxonSocket extends EventEmitter {
    socks: NetSocket[];
    server?: Server;
    set(option: string, value: unknown): this;
    bind(path: string, callback?: (error?: Error) => void): this;
    connect(path: string, callback?: () => void): this;
    close(callback?: () => void): void;
    pack(args: unknown[]): Buffer;
    format?(type: string): void;
  }
  export interface SubEmitterSocket {
    sock: AxonSocket;
    on(event: string, listener: (...args: unknown[]) => void): this;
    off(event: string): this;
    connect(path: string, callback?: () => void): void;
    close(callback?: () => void): void;
  }
  export function socket(type: 'req' | 'rep' | 'pub'): AxonSocket;
  export function socket(type: 'sub-emitter'): SubEmitterSocket;
}

declare module 'pm2-axon-rpc' {
  import type { AxonSocket } from 'pm2-axon';
  export class Server {
    constructor(sock: AxonSocket);
    expose(name: string, fn: (...args: unknown[]) => void): void;
  }
  export class Client {
    constructor(sock: AxonSocket);
    call(name: string, ...args: unknown[]): void;
  }
}
