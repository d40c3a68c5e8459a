import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RoomName } from '@parley/protocol';
import { RelayAuth } from '../auth';
import type { Deliver } from '../deliver';
import { RelayClient, type RelayClientOptions } from '../relay-client.grpc';

/** Every stream in these tests is authenticated with one random cluster secret. */
export const auth = new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') });

/** Resolves when `check` holds, re-checking on each `event`; fails after `timeoutMs`. */
export function waitUntil(emitter: EventEmitter, event: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onEvent = (): void => {
      if (!check()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting on '${event}'`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
    };
    emitter.on(event, onEvent);
  });
}

export const sorted = <T extends string>(values: Iterable<T>): T[] => [...values].sort();
export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A node under test: a RelayClient plus the frames it received. */
export class TestNode extends EventEmitter {
  readonly received: Deliver[] = [];
  readonly client: RelayClient;
  /** Confirms barrier frames as soon as they arrive, unless a test holds them. */
  holdBarriers = false;

  constructor(nodeId: string, gateways: string[], rooms: RoomName[] = [], options: Partial<RelayClientOptions> = {}) {
    super();
    this.client = new RelayClient({
      nodeId,
      auth,
      gateways,
      backoff: { initialMs: 20, maxMs: 200 },
      onDeliver: (deliver) => {
        this.received.push(deliver);
        if (!this.holdBarriers) deliver.done?.();
        this.emit('deliver', deliver);
      },
      ...options,
    });
    for (const room of rooms) this.client.setInterest(room, true);
  }

  messageIds(): string[] {
    return this.received.map((d) => d.messageId);
  }

  waitFor(messageId: string): Promise<Deliver> {
    return waitUntil(this, 'deliver', () => this.messageIds().includes(messageId)).then(
      () => this.received.find((d) => d.messageId === messageId) as Deliver,
    );
  }

  async ready(count = 1): Promise<void> {
    await waitUntil(this.client, 'gateway:ready', () => this.client.connectedGateways().length >= count);
  }
}
