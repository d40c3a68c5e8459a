import type { Message } from '@parley/protocol';
import type { ClientSocket, CommandChannel } from './command-channel';
import { ConversationLog } from './conversation-log';

export interface SyncOptions {
  /** Delivery acks are batched this long. @default 250 */
  ackDelayMs: number;
  /** Called with each message once, in seq order per conversation, with no holes. */
  release: (message: Message) => void;
  /** The channel of the current connection, if there is one. */
  channel: () => CommandChannel | undefined;
}

/** Messages asked for per `sync` or `history:fetch` round trip. */
const PAGE = 200;

/**
 * What the client holds of every conversation and how it catches up: one
 * cursor per conversation (the last seq released with nothing missing before
 * it), a `sync` from those cursors after every (re)connect, gaps fetched with
 * `history:fetch` when a push arrives early, and delivery acks batched.
 */
export class Sync {
  private readonly logs = new Map<string, ConversationLog>();
  private readonly filling = new Set<string>();
  private readonly pendingAcks = new Set<string>();
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SyncOptions) {}

  /** Subscribes to a new socket's pushes; `current` turns false once the socket was replaced. */
  attach(socket: ClientSocket, channel: CommandChannel, current: () => boolean): void {
    socket.on('message:new', (m) => current() && this.ingest(m));
    socket.on('server:resync', ({ withinMs }) => {
      // Spread over the window the node gave, so its sessions don't sync all at once.
      setTimeout(() => {
        if (current()) void this.syncAll(channel).catch(() => undefined);
      }, Math.random() * withinMs);
    });
  }

  /** Fetches everything after the cursors, page by page, for every conversation the server has news of. */
  async syncAll(channel: CommandChannel): Promise<void> {
    for (let more = true; more; ) {
      const since: Record<string, number> = {};
      for (const [id, log] of this.logs) since[id] = log.releasedSeq;
      const { conversations } = await channel.request('sync', { since, limit: PAGE });
      more = false;
      for (const conversation of conversations) {
        const first = conversation.messages[0];
        // A conversation this client has never seen starts where the server's cursor did.
        if (first && !this.logs.has(conversation.conversationId)) this.seedCursor(conversation.conversationId, first.seq - 1);
        for (const m of conversation.messages) this.ingest(m);
        more ||= conversation.hasMore;
      }
    }
  }

  /** Takes in a message from anywhere (push, sync, send ack); releases what became releasable. */
  ingest(message: Message): void {
    let log = this.logs.get(message.conversationId);
    if (!log) this.logs.set(message.conversationId, (log = new ConversationLog()));
    const released = log.ingest(message);
    for (const m of released) this.options.release(m);
    if (released.length > 0) this.scheduleAck(message.conversationId);
    if (log.hasGap()) void this.fillGap(message.conversationId, log);
  }

  messages(conversationId: string): readonly Message[] {
    return this.logs.get(conversationId)?.messages() ?? [];
  }

  conversationIds(): string[] {
    return [...this.logs.keys()];
  }

  seedCursor(conversationId: string, seq: number): void {
    if (!this.logs.has(conversationId)) this.logs.set(conversationId, new ConversationLog(seq));
  }

  /** Sends the acks still batched (if connected) and stops batching. */
  close(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.flushAcks();
  }

  /** Fetches what lies between the released cursor and a message that arrived early. */
  private async fillGap(conversationId: string, log: ConversationLog): Promise<void> {
    if (this.filling.has(conversationId)) return;
    this.filling.add(conversationId);
    try {
      for (let channel = this.options.channel(); log.hasGap() && channel?.open; channel = this.options.channel()) {
        const before = log.releasedSeq;
        const { messages } = await channel.request('history:fetch', { conversationId, afterSeq: before, limit: PAGE });
        for (const m of messages) this.ingest(m);
        if (log.releasedSeq === before) break; // nothing new: the next sync will retry
      }
    } catch {
      // Refused or disconnected mid-fill: the sync after reconnecting covers it.
    } finally {
      this.filling.delete(conversationId);
    }
  }

  private scheduleAck(conversationId: string): void {
    this.pendingAcks.add(conversationId);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      this.flushAcks();
    }, this.options.ackDelayMs);
  }

  /** Tells the server how far each conversation was delivered (best effort). */
  private flushAcks(): void {
    const channel = this.options.channel();
    if (!channel?.open) return;
    for (const conversationId of this.pendingAcks) {
      const seq = this.logs.get(conversationId)?.releasedSeq ?? 0;
      if (seq > 0) channel.notify('message:ack', { conversationId, seq });
    }
    this.pendingAcks.clear();
  }
}
