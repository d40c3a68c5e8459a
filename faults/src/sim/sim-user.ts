import { io } from 'socket.io-client';
import { ParleyClient } from '@parley/client';
import type { Message, ServerEventPayloads } from '@parley/protocol';
import { TEST_PASSWORD } from '@parley/testing';

export interface ReconnectRecord {
  at: number;
  nodeId: string;
  downtimeMs: number;
}

/** When a message first reached this user as a live push, and on which node its socket was. */
export interface PushRecord {
  at: number;
  nodeId: string | undefined;
}

export interface SimUserOptions {
  gatewayUrl: string;
  backoff?: { initialMs: number; maxMs: number };
}

/** Passes the gateway's password policy. */
export const SIM_PASSWORD = TEST_PASSWORD;

/**
 * One simulated user: a ParleyClient plus a record of what it emitted (in
 * order, per conversation), its connection losses and its reconnects.
 */
export class SimUser {
  readonly client: ParleyClient;
  /** Messages in the order the client emitted them, per conversation. */
  readonly delivered = new Map<string, Message[]>();
  readonly reconnects: ReconnectRecord[] = [];
  /** Times the client noticed a lost connection (state -> reconnecting). */
  readonly losses: number[] = [];
  /**
   * Messages that arrived as a live push (message:new on the socket), by id,
   * as opposed to those only a sync fetched: the first push of each.
   */
  readonly pushes = new Map<string, PushRecord>();
  /** True while a send of this user is in flight (one at a time, like a person). */
  busy = false;

  constructor(
    readonly username: string,
    readonly gatewayUrl: string,
    options: SimUserOptions,
  ) {
    // Each socket the client opens is tapped for pushes; the client itself does not tell a push from a sync.
    const tappedIo = ((...args: Parameters<typeof io>) => {
      const socket = io(...args);
      socket.on('message:new', (m: ServerEventPayloads['message:new']) => {
        if (!this.pushes.has(m.id)) this.pushes.set(m.id, { at: Date.now(), nodeId: this.client.nodeId });
      });
      return socket;
    }) as typeof io;
    this.client = new ParleyClient({ gatewayUrl: options.gatewayUrl, io: tappedIo, backoff: options.backoff });
    this.client.on('message', (m) => {
      let list = this.delivered.get(m.conversationId);
      if (!list) this.delivered.set(m.conversationId, (list = []));
      list.push(m);
    });
    this.client.on('state', (s) => {
      if (s === 'reconnecting') this.losses.push(Date.now());
    });
    this.client.on('reconnected', (info) => this.reconnects.push({ at: Date.now(), ...info }));
  }

  get id(): string {
    const user = this.client.user;
    if (!user) throw new Error(`${this.username} is not signed in`);
    return user.id;
  }

  get connected(): boolean {
    return this.client.state === 'connected';
  }

  /** Connected now, and every loss since `since` was followed by a reconnect. */
  recoveredSince(since: number): boolean {
    const lastLoss = this.losses.filter((t) => t >= since).at(-1);
    if (lastLoss === undefined) return this.connected;
    return this.connected && this.reconnects.some((r) => r.at >= lastLoss);
  }
}
