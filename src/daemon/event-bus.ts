/**
 * Publishes typed events on pub.sock (pm2-axon pub). A slow subscriber misses log lines and metrics
 * ticks rather than being buffered without bound, but never a state change: those are small and a
 * client that missed one would show a wrong state forever.
 */
import type { AxonSocket } from 'pm2-axon';
import type { EventName, Events } from '../shared/protocol';

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const SHEDDABLE: ReadonlySet<EventName> = new Set<EventName>(['log:out', 'log:err', 'metrics']);

type LocalListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export class EventBus {
  private readonly local = new Set<LocalListener>();

  constructor(private readonly socket: AxonSocket) {}

  hasSubscribers(): boolean {
    return this.socket.socks.length > 0 || this.local.size > 0;
  }

  /** In-process listeners (corral-runtime prints logs from here); returns the unsubscribe. */
  onLocal(listener: LocalListener): () => void {
    this.local.add(listener);
    return () => this.local.delete(listener);
  }

  publish<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.local) listener(event, payload);
    const subscribers = this.socket.socks;
    if (subscribers.length === 0) return;
    const frame = this.socket.pack([event, payload]);
    const sheddable = SHEDDABLE.has(event);
    for (const subscriber of subscribers) {
      if (!subscriber.writable || (sheddable && subscriber.writableLength >= MAX_BUFFERED_BYTES)) continue;
      subscriber.write(frame);
    }
  }
}
