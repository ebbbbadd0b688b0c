/**
 * pm2-axon's socket types, each loaded on its own: the package's index loads all eight of them, and a
 * CLI call that needs one `req` socket should not pay for the rest at every start.
 */
import type { AxonSocket, SubEmitterSocket } from 'pm2-axon';

/* eslint-disable @typescript-eslint/no-require-imports */
export const reqSocket = (): AxonSocket => new (require('pm2-axon/lib/sockets/req') as new () => AxonSocket)();
export const repSocket = (): AxonSocket => new (require('pm2-axon/lib/sockets/rep') as new () => AxonSocket)();
export const pubSocket = (): AxonSocket => new (require('pm2-axon/lib/sockets/pub') as new () => AxonSocket)();
export const subEmitterSocket = (): SubEmitterSocket => new (require('pm2-axon/lib/sockets/sub-emitter') as new () => SubEmitterSocket)();
/* eslint-enable @typescript-eslint/no-require-imports */
