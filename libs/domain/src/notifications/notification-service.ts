import { parseConversationId, type Message } from '@parley/protocol';
import { silentLogger, type Logger } from '@parley/util';
import type { Clock, GroupStore, NotificationStore, Presence, Pusher, PushTarget, UserStore } from '../ports';
import { allowsPush, mentionsUser } from './push-decision';
import { buildPushRequest, type PreviewNames } from './push-payload';

export interface NotificationServiceDeps {
  /** Push targets and settings; users and groups for preview names. */
  store: NotificationStore & UserStore & GroupStore;
  presence: Pick<Presence, 'awayUsers'>;
  pusher: Pusher;
  clock: Clock;
  /** A user whose sessions have all been hidden this long counts as away (PARLEY_PUSH_AWAY_AFTER_MS). @default 60000 */
  awayAfterMs?: number;
  /** Messages waiting for their batch; beyond it the oldest are dropped (pushes are best effort). @default 10000 */
  maxQueued?: number;
  logger?: Logger;
}

/** Kinds that notify: what a user reads (never change entries, never system notices). */
const PUSHED_KINDS: ReadonlySet<Message['kind']> = new Set(['text', 'image', 'file']);

interface Chosen {
  target: PushTarget;
  message: Message;
  mention: boolean;
}

/**
 * Pushes stored messages to members who are away. The send path calls
 * messageStored and moves on; messages queued during one event-loop turn go
 * as one batch (one store read of targets, one presence read), and while a
 * batch runs the next ones gather. Failures are logged and swallowed: the
 * message is already stored and delivered to whoever is online.
 */
export class NotificationService {
  private queue: Message[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private dropped = 0;
  private readonly awayAfterMs: number;
  private readonly maxQueued: number;
  private readonly logger: Logger;

  constructor(private readonly deps: NotificationServiceDeps) {
    this.awayAfterMs = deps.awayAfterMs ?? 60_000;
    this.maxQueued = deps.maxQueued ?? 10_000;
    this.logger = deps.logger ?? silentLogger;
  }

  /** A fresh content message was stored and published: push it to those away. Returns at once. */
  messageStored(message: Message): void {
    if (!PUSHED_KINDS.has(message.kind)) return;
    this.queue.push(message);
    if (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
    this.schedule();
  }

  /** Resolves once every message queued so far was handed to the pusher (or given up). */
  async idle(): Promise<void> {
    while (this.scheduled || this.running || this.queue.length > 0) {
      if (this.running) await this.running;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (this.dropped > 0) {
      this.logger.warn({ dropped: this.dropped }, 'push queue full: oldest messages not pushed');
      this.dropped = 0;
    }
    this.running = this.process(batch)
      .catch((err: unknown) => this.logger.error({ err, messages: batch.length }, 'push batch failed'))
      .finally(() => {
        this.running = null;
        if (this.queue.length > 0) this.schedule();
      });
  }

  private async process(batch: readonly Message[]): Promise<void> {
    const { store, presence, pusher, clock } = this.deps;
    const now = clock.now();
    const targets = await store.listPushTargets(
      batch.map((m) => ({ conversationId: m.conversationId, senderId: m.senderId })),
      now,
    );
    if (targets.length === 0) return;
    const away = await presence.awayUsers([...new Set(targets.map((t) => t.userId))], now, this.awayAfterMs);
    const chosen = choose(batch, targets, away, now);
    if (chosen.length === 0) return;
    const names = await this.previewNames(chosen);
    pusher.push(chosen.map((c) => buildPushRequest(c.target, c.message, c.mention, names)));
  }

  /** Senders' and groups' names, read only when some chosen target shows previews. */
  private async previewNames(chosen: readonly Chosen[]): Promise<PreviewNames> {
    const shown = chosen.filter((c) => c.target.previews).map((c) => c.message);
    if (shown.length === 0) return { users: new Map(), groups: new Map() };
    const groupIds = new Set<string>();
    for (const m of shown) {
      const ref = parseConversationId(m.conversationId);
      if (ref?.type === 'group') groupIds.add(ref.groupId);
    }
    const [users, groups] = await Promise.all([
      this.deps.store.getUsers([...new Set(shown.map((m) => m.senderId))]),
      Promise.all([...groupIds].map((id) => this.deps.store.getGroup(id))),
    ]);
    return {
      users: new Map(users.map((u) => [u.id, u.displayName])),
      groups: new Map(groups.flatMap((g) => (g ? [[g.id, g.name] as const] : []))),
    };
  }
}

/** Exactly one push per (message, subscription) of an away member but the sender whose settings allow it. */
function choose(batch: readonly Message[], targets: readonly PushTarget[], away: ReadonlySet<string>, now: number): Chosen[] {
  const byConversation = new Map<string, PushTarget[]>();
  for (const t of targets) {
    const list = byConversation.get(t.conversationId);
    if (list) list.push(t);
    else byConversation.set(t.conversationId, [t]);
  }
  const chosen: Chosen[] = [];
  for (const message of batch) {
    // The same subscription may come once per sender of the batch in this conversation.
    const seen = new Set<string>();
    for (const target of byConversation.get(message.conversationId) ?? []) {
      if (target.userId === message.senderId || !away.has(target.userId) || seen.has(target.id)) continue;
      seen.add(target.id);
      const mention = mentionsUser(message, target.userId);
      if (allowsPush(target, mention, now)) chosen.push({ target, message, mention });
    }
  }
  return chosen;
}
