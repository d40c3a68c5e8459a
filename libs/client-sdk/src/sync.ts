import type { LogPage, Message, MessageUpdateEvent } from '@parley/protocol';
import type { ClientSocket, CommandChannel } from './command-channel';
import { ConversationLog, type LogRelease, type MessageUpdate } from './conversation-log';

export interface SyncOptions {
  /** Delivery acks are batched this long. @default 250 */
  ackDelayMs: number;
  /** Called with each content message once, in seq order per conversation, with nothing missing but what is hidden. */
  release: (message: Message) => void;
  /** Called with each change entry once, in the same order, after it was applied to the held messages. */
  update: (update: MessageUpdate) => void;
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
    socket.on('message:update', (u) => current() && this.update(u));
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
        const { conversationId } = conversation;
        const first = conversation.messages[0];
        // A conversation this client has never seen starts where the server's cursor did
        // (an empty page: past the seqs hidden from this user, which it then acks).
        if (!this.logs.has(conversationId)) {
          this.seedCursor(conversationId, first ? first.seq - 1 : conversation.throughSeq);
          if (!first) this.scheduleAck(conversationId);
        }
        const log = this.logs.get(conversationId);
        if (log) this.ingestPage(conversationId, log, since[conversationId] ?? log.releasedSeq, conversation);
        more ||= conversation.hasMore;
      }
    }
  }

  /** Takes in one entry from anywhere (push, send ack); releases what became releasable. */
  ingest(message: Message): void {
    const log = this.log(message.conversationId);
    this.released(message.conversationId, log, log.ingest(message));
  }

  /** A `message:update` push: the change entry, with its target's state. */
  update(event: MessageUpdateEvent): void {
    const log = this.log(event.entry.conversationId);
    this.released(event.entry.conversationId, log, log.update(event));
  }

  messages(conversationId: string): readonly Message[] {
    return this.logs.get(conversationId)?.messages() ?? [];
  }

  /** A held message of a conversation, by id. */
  find(conversationId: string, id: string): Message | undefined {
    return this.logs.get(conversationId)?.find(id);
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
        const page = await channel.request('history:fetch', { conversationId, afterSeq: before, limit: PAGE });
        this.ingestPage(conversationId, log, before, page);
        if (log.releasedSeq === before) break; // nothing new: the next sync will retry
      }
    } catch {
      // Refused or disconnected mid-fill: the sync after reconnecting covers it.
    } finally {
      this.filling.delete(conversationId);
    }
  }

  private log(conversationId: string): ConversationLog {
    let log = this.logs.get(conversationId);
    if (!log) this.logs.set(conversationId, (log = new ConversationLog()));
    return log;
  }

  /** A page of the log after `afterSeq`: it covers its range (seqs it lacks are hidden from this user). */
  private ingestPage(conversationId: string, log: ConversationLog, afterSeq: number, page: LogPage): void {
    const before = log.releasedSeq;
    this.released(conversationId, log, log.ingestPage(afterSeq, page));
    // Skipping hidden seqs releases nothing but moves the cursor: the server must hear of it.
    if (log.releasedSeq > before) this.scheduleAck(conversationId);
  }

  private released(conversationId: string, log: ConversationLog, released: readonly LogRelease[]): void {
    for (const r of released) {
      if ('message' in r) this.options.release(r.message);
      else this.options.update(r.update);
    }
    if (released.length > 0) this.scheduleAck(conversationId);
    if (log.hasGap()) void this.fillGap(conversationId, log);
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
