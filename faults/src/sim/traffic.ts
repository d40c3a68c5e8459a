import type { Message } from '@parley/protocol';
import type { SimConversation } from './population';
import type { SimUser } from './sim-user';

export interface SendFailure {
  username: string;
  conversationId: string;
  error: string;
}

/** When a send was acked, and which node the sender was on then. */
export interface AckRecord {
  at: number;
  senderNodeId: string | undefined;
}

/** What the senders were told: acked messages per conversation, and sends that gave up. */
export class SendLedger {
  readonly acked = new Map<string, Message[]>();
  readonly failures: SendFailure[] = [];
  /** Time from send() to ack, per acked message (includes every retry the client made). */
  readonly latenciesMs: number[] = [];
  /** Each acked message's ack, by message id (push delays are measured from it). */
  readonly acks = new Map<string, AckRecord>();
  private readonly inflight = new Set<Promise<void>>();
  private counter = 0;

  get ackedCount(): number {
    let n = 0;
    for (const list of this.acked.values()) n += list.length;
    return n;
  }

  get pending(): number {
    return this.inflight.size;
  }

  /** One send through the client library (which retries until acked); the user is busy meanwhile. */
  send(user: SimUser, conversation: SimConversation, label: string): Promise<void> {
    user.busy = true;
    const text = `${label} ${user.username} #${++this.counter}`;
    const started = Date.now();
    const run = user.client
      .send(conversation.targetFor(user), text)
      .then(
        (message) => {
          this.latenciesMs.push(Date.now() - started);
          this.acks.set(message.id, { at: Date.now(), senderNodeId: user.client.nodeId });
          if (message.conversationId !== conversation.conversationId) {
            this.failures.push({
              username: user.username,
              conversationId: conversation.conversationId,
              error: `acked into ${message.conversationId}`,
            });
          }
          let list = this.acked.get(message.conversationId);
          if (!list) this.acked.set(message.conversationId, (list = []));
          list.push(message);
        },
        (err: unknown) => {
          this.failures.push({ username: user.username, conversationId: conversation.conversationId, error: String(err) });
        },
      )
      .finally(() => {
        user.busy = false;
        this.inflight.delete(run);
      });
    this.inflight.add(run);
    return run;
  }

  /** Resolves once every send started so far has settled. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}

export interface TrafficOptions {
  /** Messages started per second across all users. */
  ratePerSecond: number;
  label: string;
  random?: () => number;
}

/**
 * Mixed 1:1 and group traffic at a bounded rate: every tick an idle user
 * (one send at a time per user, as a person types) posts to one of its
 * conversations. A tick with no idle user is skipped, so a stalled cluster
 * cannot pile up unbounded work.
 */
export class Traffic {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly byUser = new Map<SimUser, SimConversation[]>();
  private readonly random: () => number;
  skipped = 0;

  constructor(
    private readonly ledger: SendLedger,
    conversations: readonly SimConversation[],
    private readonly options: TrafficOptions,
  ) {
    this.random = options.random ?? Math.random;
    for (const conversation of conversations) {
      for (const member of conversation.members) {
        const list = this.byUser.get(member) ?? [];
        list.push(conversation);
        this.byUser.set(member, list);
      }
    }
  }

  start(): void {
    const users = [...this.byUser.keys()];
    const intervalMs = Math.max(5, Math.round(1000 / this.options.ratePerSecond));
    this.timer = setInterval(() => {
      const idle = users.filter((u) => !u.busy);
      // No draw when nobody is idle: a seeded `random` gives the same run either way.
      const user = idle.length > 0 ? idle[Math.floor(this.random() * idle.length)] : undefined;
      if (!user) {
        this.skipped++;
        return;
      }
      const mine = this.byUser.get(user) ?? [];
      const conversation = mine[Math.floor(this.random() * mine.length)];
      if (conversation) void this.ledger.send(user, conversation, this.options.label);
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
