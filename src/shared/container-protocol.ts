/** Messages between the daemon and dist/container.js inside a cluster worker. */
export const CONTAINER_MESSAGES = {
  /** daemon -> worker: stop accepting connections, finish in-flight requests, close keep-alive sockets. */
  drain: 'corral:drain',
  /** worker -> daemon: no connection left. */
  drained: 'corral:drained',
} as const;

export interface ContainerMessage {
  type: (typeof CONTAINER_MESSAGES)[keyof typeof CONTAINER_MESSAGES];
}

export function isContainerMessage(message: unknown): message is ContainerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && String((message as { type: string }).type).startsWith('corral:');
}
