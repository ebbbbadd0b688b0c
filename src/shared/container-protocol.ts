/** Messages between the daemon and dist/container.js inside a cluster worker. */
export const CONTAINER_MESSAGES = {
  /** daemon -> worker: stop accepting connections, finish in-flight requests, close keep-alive sockets. */
  drain: 'corral:drain',
  /**
   * worker -> daemon: its servers are closed. Sent after node:cluster's own close message, so when the
   * daemon reads it, the primary hands this worker no more connections.
   */
  closed: 'corral:closed',
  /**
   * daemon -> worker: the answer to `closed`. Every connection the primary handed over before it
   * learned of the close is queued ahead of this message, so once the worker reads it, each of those
   * has been accepted or sent back. Killing the worker earlier would strand such a connection in the
   * primary: the client would wait forever for an answer.
   */
  flush: 'corral:flush',
  /** worker -> daemon: flushed and no connection left. */
  drained: 'corral:drained',
} as const;

export interface ContainerMessage {
  type: (typeof CONTAINER_MESSAGES)[keyof typeof CONTAINER_MESSAGES];
}

export function isContainerMessage(message: unknown): message is ContainerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && String((message as { type: string }).type).startsWith('corral:');
}
