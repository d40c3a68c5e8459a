import { ParleyClient, type ClientState } from '@parley/client-sdk';
import {
  ParleyError,
  directConversationId,
  type AuthResult,
  type CommandInput,
  type CommandName,
  type CommandResults,
  type ConversationSummary,
  type FriendRequest,
  type FriendView,
  type Group,
  type GroupMemberView,
  type Message,
  type NewMessageTarget,
  type User,
} from '@parley/protocol';
import { newId } from './ids';

/** One row of the conversation list. */
export interface Conversation {
  id: string;
  type: 'direct' | 'group';
  peer?: User;
  group?: Group;
  last?: Message;
  /** Sort key: the last message's time, or when the conversation appeared. */
  activityAt: number;
  unread: number;
  /** How far I have read. */
  readSeq: number;
}

export interface Thread {
  /** Stored messages in seq order, no duplicates. */
  messages: Message[];
  /** Older pages exist on the server. */
  hasMore: boolean;
  loading: boolean;
  /** The newest page was fetched at least once. */
  loaded: boolean;
  /** Where the "new messages" divider goes: the first seq unread when the chat was opened. */
  firstUnreadSeq?: number;
}

export interface Outgoing {
  clientMsgId: string;
  conversationId: string;
  to: NewMessageTarget;
  text: string;
  createdAt: number;
  status: 'sending' | 'failed';
  error?: string;
}

export type ConnectionState = ClientState | 'draining';

export interface Social {
  friends: FriendView[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  blocked: User[];
  loaded: boolean;
  error?: string;
}

export interface GroupDetails {
  group: Group;
  members: GroupMemberView[];
}

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export interface State {
  me: User;
  connection: ConnectionState;
  nodeId?: string;
  conversations: Map<string, Conversation>;
  threads: Map<string, Thread>;
  outgoing: Outgoing[];
  /** Per conversation, how far each other member has read. */
  readBy: Map<string, Map<string, number>>;
  /** Per conversation, who is typing and until when. */
  typing: Map<string, Map<string, number>>;
  online: Map<string, boolean>;
  lastSeenAt: Map<string, number | null>;
  users: Map<string, User>;
  groups: Map<string, GroupDetails>;
  social: Social;
  activeId?: string;
  toasts: Toast[];
}

const PAGE = 30;
export const GROUP_SEARCH_PAGE = 20;
const TYPING_SHOW_MS = 4_000;
const TYPING_SEND_EVERY_MS = 2_500;
const PRESENCE_REFRESH_MS = 30_000;

/**
 * The app's state and every action on it, over one ParleyClient. Views read
 * `state` and re-render on `subscribe`; nothing here touches the DOM.
 */
export class ChatStore {
  state: State;
  readonly client: ParleyClient;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribers: (() => void)[] = [];
  private lastTypingSent = new Map<string, number>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private toastSeq = 0;
  private closed = false;

  constructor(
    session: AuthResult,
    gatewayUrl: string,
    private readonly onSignedOut: (reason: string) => void,
    private readonly isVisible: () => boolean = () => document.visibilityState === 'visible',
  ) {
    this.client = new ParleyClient({ gatewayUrl });
    this.client.useSession(session);
    this.state = {
      me: session.user,
      connection: 'idle',
      conversations: new Map(),
      threads: new Map(),
      outgoing: [],
      readBy: new Map(),
      typing: new Map(),
      online: new Map(),
      lastSeenAt: new Map(),
      users: new Map([[session.user.id, session.user]]),
      groups: new Map(),
      social: { friends: [], incoming: [], outgoing: [], blocked: [], loaded: false },
      toasts: [],
    };
    this.wire();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.closed) return;
    // New top-level object so views memoized on `state` see the change.
    this.state = { ...this.state };
    for (const l of [...this.listeners]) l();
  }

  private wire(): void {
    const c = this.client;
    this.unsubscribers.push(
      c.on('state', (s) => {
        // The client closes by itself only when the server rejects the token.
        if (s === 'closed' && !this.closed) this.onSignedOut('Your session has ended. Please sign in again.');
        this.state.connection = s;
        this.state.nodeId = c.nodeId;
        this.changed();
      }),
      c.on('reconnected', ({ nodeId }) => {
        this.state.nodeId = nodeId;
        this.toast(`Reconnected (node ${nodeId})`);
        void this.refreshAll();
      }),
      c.on('draining', () => {
        this.state.connection = 'draining';
        this.changed();
      }),
      c.on('message', (m) => this.onMessage(m)),
      c.on('receipt', (r) => {
        if (r.userId === this.state.me.id) {
          const conv = this.state.conversations.get(r.conversationId);
          if (conv && r.readSeq > conv.readSeq) {
            conv.readSeq = r.readSeq;
            conv.unread = Math.max(0, (conv.last?.seq ?? 0) - r.readSeq);
          }
        } else {
          let map = this.state.readBy.get(r.conversationId);
          if (!map) this.state.readBy.set(r.conversationId, (map = new Map()));
          map.set(r.userId, Math.max(map.get(r.userId) ?? 0, r.readSeq));
        }
        this.changed();
      }),
      c.on('typing', (t) => {
        if (t.userId === this.state.me.id) return;
        let map = this.state.typing.get(t.conversationId);
        if (!map) this.state.typing.set(t.conversationId, (map = new Map()));
        map.set(t.userId, Date.now() + TYPING_SHOW_MS);
        this.changed();
        setTimeout(() => this.pruneTyping(), TYPING_SHOW_MS + 50);
      }),
      c.on('presence', (p) => {
        this.state.online.set(p.userId, p.online);
        this.state.lastSeenAt.set(p.userId, p.lastSeenAt);
        for (const f of this.state.social.friends) if (f.user.id === p.userId) f.online = p.online;
        this.changed();
      }),
      c.on('group', (g) => {
        const affectsMe = g.userIds?.includes(this.state.me.id);
        if (g.change === 'dissolved' || (affectsMe && (g.change === 'kicked' || g.change === 'left'))) {
          this.state.groups.delete(g.group.id);
          if (g.change === 'kicked') this.toast(`You were removed from ${g.group.name}`);
          if (g.change === 'dissolved') this.toast(`${g.group.name} was dissolved`);
        } else if ((g.change === 'created' || (g.change === 'joined' && affectsMe)) && g.actorId !== this.state.me.id) {
          this.toast(`You were added to ${g.group.name}`);
        } else if (this.state.groups.has(g.group.id)) {
          void this.loadGroup(g.group.id);
        }
        const conv = this.state.conversations.get(`g:${g.group.id}`);
        if (conv) conv.group = g.group;
        this.scheduleRefresh();
        this.changed();
      }),
      c.on('friendRequest', ({ request }) => {
        if (request.toUserId === this.state.me.id) this.toast(`${request.fromUser.displayName} sent you a friend request`);
        void this.refreshSocial();
      }),
      c.on('friendUpdate', (u) => {
        if ('request' in u && u.request.status === 'accepted' && u.request.fromUserId === this.state.me.id) {
          this.toast(`${u.request.toUser.displayName} accepted your friend request`);
        }
        void this.refreshSocial();
      }),
      c.on('groupRequest', () => this.scheduleRefresh()),
    );
  }

  /** Connects, then loads conversations and contacts. */
  async start(): Promise<void> {
    this.presenceTimer = setInterval(() => {
      if (this.state.connection === 'connected') void this.refreshPresence();
    }, PRESENCE_REFRESH_MS);
    try {
      await this.client.connect();
      await this.refreshAll();
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'UNAUTHORIZED') this.onSignedOut('Your session has expired. Please sign in again.');
      else this.toast(describe(err), 'error');
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    clearInterval(this.presenceTimer);
    for (const off of this.unsubscribers.splice(0)) off();
    await this.client.close();
  }

  async refreshAll(): Promise<void> {
    await Promise.all([this.refreshConversations(), this.refreshSocial()]);
  }

  /** Runs a command and turns a failure into a toast; resolves undefined on failure. */
  async run<K extends CommandName>(name: K, payload: CommandInput<K>, quiet = false): Promise<CommandResults[K] | undefined> {
    try {
      return await this.client.command(name, payload);
    } catch (err) {
      if (!quiet) this.toast(describe(err), 'error');
      return undefined;
    }
  }

  // ---- conversations and messages

  async refreshConversations(): Promise<void> {
    const result = await this.run('conversation:list', {}, true);
    if (!result) return;
    const seen = new Set<string>();
    for (const summary of result.conversations) {
      seen.add(summary.conversationId);
      this.upsertSummary(summary);
    }
    // Conversations I left or was removed from disappear; a new local DM without messages stays.
    for (const [id, conv] of this.state.conversations) {
      if (!seen.has(id) && (conv.type === 'group' || conv.last)) this.state.conversations.delete(id);
    }
    // Group member names for previews ("Bob: …") and sender labels.
    const unknownGroups = [...this.state.conversations.values()].filter((c) => c.group && !this.state.groups.has(c.group.id));
    await Promise.all(unknownGroups.slice(0, 20).map((c) => this.loadGroup((c.group as Group).id)));
    await this.refreshPresence();
  }

  /**
   * Online state of direct peers and friends (pushes reach friends only; this
   * catches peers up too). The server leaves out whom we may no longer see
   * (a block either way, a DM not yet written): their old state is dropped.
   */
  async refreshPresence(): Promise<void> {
    const ids = new Set<string>();
    for (const c of this.state.conversations.values()) if (c.peer) ids.add(c.peer.id);
    for (const f of this.state.social.friends) ids.add(f.user.id);
    if (ids.size > 0) {
      const asked = [...ids].slice(0, 200);
      const presence = await this.run('presence:query', { userIds: asked }, true);
      if (presence) {
        const answered = new Set(presence.presence.map((p) => p.userId));
        for (const id of asked.filter((a) => !answered.has(a))) {
          this.state.online.delete(id);
          this.state.lastSeenAt.delete(id);
        }
      }
      for (const p of presence?.presence ?? []) {
        this.state.online.set(p.userId, p.online);
        this.state.lastSeenAt.set(p.userId, p.lastSeenAt);
      }
    }
    this.changed();
  }

  private upsertSummary(s: ConversationSummary): void {
    const existing = this.state.conversations.get(s.conversationId);
    if (s.peer) this.state.users.set(s.peer.id, s.peer);
    if (s.peer && s.peerReadSeq) {
      // "Seen" survives a reload: the list says how far the peer has read.
      let map = this.state.readBy.get(s.conversationId);
      if (!map) this.state.readBy.set(s.conversationId, (map = new Map()));
      map.set(s.peer.id, Math.max(map.get(s.peer.id) ?? 0, s.peerReadSeq));
    }
    // From here on the client library keeps this conversation in sync across reconnects.
    this.client.seedCursor(s.conversationId, s.lastSeq);
    const last = s.lastMessage ?? undefined;
    const active = this.state.activeId === s.conversationId && this.isVisible();
    this.state.conversations.set(s.conversationId, {
      id: s.conversationId,
      type: s.type,
      peer: s.peer,
      group: s.group,
      last: newest(existing?.last, last),
      activityAt: Math.max(existing?.activityAt ?? 0, last?.createdAt ?? s.group?.createdAt ?? 0),
      unread: active ? 0 : s.unread,
      readSeq: Math.max(s.readSeq, existing?.readSeq ?? 0),
    });
    if (active && s.unread > 0) void this.markRead(s.conversationId);
  }

  /** The refresh after a group change or an unknown conversation, coalesced. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshConversations(), 150);
  }

  private onMessage(m: Message): void {
    this.addToThread(m.conversationId, [m]);
    const conv = this.state.conversations.get(m.conversationId);
    if (!conv) {
      this.scheduleRefresh();
    } else {
      conv.last = newest(conv.last, m);
      conv.activityAt = Math.max(conv.activityAt, m.createdAt);
      if (m.senderId !== this.state.me.id && m.seq > conv.readSeq) {
        if (this.state.activeId === m.conversationId && this.isVisible()) void this.markRead(m.conversationId);
        else conv.unread += 1;
      }
    }
    // A message from someone ends their typing indicator.
    this.state.typing.get(m.conversationId)?.delete(m.senderId);
    this.changed();
  }

  private addToThread(conversationId: string, incoming: readonly Message[]): void {
    let thread = this.state.threads.get(conversationId);
    if (!thread) this.state.threads.set(conversationId, (thread = { messages: [], hasMore: true, loading: false, loaded: false }));
    const bySeq = new Map(thread.messages.map((m) => [m.seq, m]));
    for (const m of incoming) bySeq.set(m.seq, m);
    thread.messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const mine = new Set(incoming.filter((m) => m.senderId === this.state.me.id).map((m) => m.clientMsgId));
    if (mine.size > 0) this.state.outgoing = this.state.outgoing.filter((o) => !mine.has(o.clientMsgId));
  }

  /** Opens a conversation: loads its newest page once and marks it read. */
  async open(conversationId: string | undefined): Promise<void> {
    this.state.activeId = conversationId;
    this.changed();
    if (!conversationId) return;
    const conv = this.state.conversations.get(conversationId);
    let thread = this.state.threads.get(conversationId);
    if (!thread) this.state.threads.set(conversationId, (thread = { messages: [], hasMore: true, loading: false, loaded: false }));
    thread.firstUnreadSeq = conv && conv.unread > 0 ? conv.readSeq + 1 : undefined;
    if (conv?.group && !this.state.groups.has(conv.group.id)) void this.loadGroup(conv.group.id);
    if (!thread.loaded) await this.loadOlder(conversationId);
    await this.markRead(conversationId);
  }

  /** Fetches the page before the oldest message held (the newest page the first time). */
  async loadOlder(conversationId: string): Promise<void> {
    const thread = this.state.threads.get(conversationId);
    if (!thread || thread.loading || (thread.loaded && !thread.hasMore)) return;
    const conv = this.state.conversations.get(conversationId);
    if (!thread.loaded && conv && !conv.last) {
      // A brand-new direct chat: nothing to fetch yet.
      thread.loaded = true;
      thread.hasMore = false;
      this.changed();
      return;
    }
    thread.loading = true;
    this.changed();
    const oldest = thread.loaded ? thread.messages[0]?.seq : undefined;
    const result = await this.run('history:fetch', { conversationId, beforeSeq: oldest, limit: PAGE }, true);
    thread.loading = false;
    if (result) {
      this.addToThread(conversationId, result.messages);
      thread.hasMore = result.hasMore;
      thread.loaded = true;
    }
    this.changed();
  }

  async markRead(conversationId: string): Promise<void> {
    const conv = this.state.conversations.get(conversationId);
    const thread = this.state.threads.get(conversationId);
    const seq = Math.max(thread?.messages[thread.messages.length - 1]?.seq ?? 0, conv?.last?.seq ?? 0);
    if (!conv || seq <= 0) return;
    const wasUnread = conv.unread;
    conv.unread = 0;
    if (seq <= conv.readSeq) {
      if (wasUnread) this.changed();
      return;
    }
    conv.readSeq = seq;
    this.changed();
    await this.run('conversation:read', { conversationId, seq }, true);
  }

  /** Called when the tab becomes visible again: the open chat counts as read. */
  visibilityChanged(): void {
    if (this.isVisible() && this.state.activeId) void this.markRead(this.state.activeId);
  }

  /** Opens (creating locally if needed) the direct chat with a user. */
  async openDirect(user: User): Promise<string> {
    const id = directConversationId(this.state.me.id, user.id);
    this.state.users.set(user.id, user);
    if (!this.state.conversations.has(id)) {
      this.state.conversations.set(id, { id, type: 'direct', peer: user, activityAt: Date.now(), unread: 0, readSeq: 0 });
    }
    await this.open(id);
    return id;
  }

  send(conversationId: string, text: string): void {
    const conv = this.state.conversations.get(conversationId);
    if (!conv) return;
    const to: NewMessageTarget = conv.type === 'group' && conv.group ? { type: 'group', id: conv.group.id } : { type: 'user', id: conv.peer?.id ?? '' };
    const outgoing: Outgoing = { clientMsgId: newId(), conversationId, to, text, createdAt: Date.now(), status: 'sending' };
    this.state.outgoing = [...this.state.outgoing, outgoing];
    conv.activityAt = Date.now();
    this.lastTypingSent.delete(conversationId);
    this.changed();
    void this.deliver(outgoing);
  }

  /** Sends again with the same clientMsgId, so the server stores it at most once. */
  retry(clientMsgId: string): void {
    const outgoing = this.state.outgoing.find((o) => o.clientMsgId === clientMsgId);
    if (!outgoing) return;
    outgoing.status = 'sending';
    outgoing.error = undefined;
    this.changed();
    void this.deliver(outgoing);
  }

  discard(clientMsgId: string): void {
    this.state.outgoing = this.state.outgoing.filter((o) => o.clientMsgId !== clientMsgId);
    this.changed();
  }

  private async deliver(outgoing: Outgoing): Promise<void> {
    try {
      const message = await this.client.send(outgoing.to, outgoing.text, { clientMsgId: outgoing.clientMsgId });
      this.onMessage(message);
      this.state.outgoing = this.state.outgoing.filter((o) => o.clientMsgId !== outgoing.clientMsgId);
      const conv = this.state.conversations.get(outgoing.conversationId);
      if (conv && message.seq > conv.readSeq) conv.readSeq = message.seq;
      this.changed();
    } catch (err) {
      outgoing.status = 'failed';
      outgoing.error = describe(err);
      this.changed();
    }
  }

  /** Tells the others I am typing, at most every few seconds. */
  typing(conversationId: string): void {
    const now = Date.now();
    if (now - (this.lastTypingSent.get(conversationId) ?? 0) < TYPING_SEND_EVERY_MS) return;
    if (this.state.connection !== 'connected') return;
    this.lastTypingSent.set(conversationId, now);
    void this.run('typing', { conversationId }, true);
  }

  private pruneTyping(): void {
    const now = Date.now();
    let changed = false;
    for (const map of this.state.typing.values()) {
      for (const [userId, until] of map) if (until <= now && map.delete(userId)) changed = true;
    }
    if (changed) this.changed();
  }

  // ---- contacts

  async refreshSocial(): Promise<void> {
    const [list, requests, blocked] = await Promise.all([
      this.run('friend:list', {}, true),
      this.run('friend:requests', {}, true),
      this.run('user:blocked', {}, true),
    ]);
    const social = this.state.social;
    if (list) {
      social.friends = list.friends;
      for (const f of list.friends) {
        this.state.users.set(f.user.id, f.user);
        this.state.online.set(f.user.id, f.online);
        this.state.lastSeenAt.set(f.user.id, f.lastSeenAt);
      }
    }
    if (requests) {
      social.incoming = requests.incoming.filter((r) => r.status === 'pending');
      social.outgoing = requests.outgoing.filter((r) => r.status === 'pending');
    }
    if (blocked) social.blocked = blocked.users;
    social.loaded = true;
    social.error = list ? undefined : 'Contacts are not available right now.';
    this.changed();
  }

  async searchUsers(q: string): Promise<User[]> {
    const { users } = await this.client.rest<{ users: User[] }>('GET', `/api/users?q=${encodeURIComponent(q)}&limit=20`);
    return users.filter((u) => u.id !== this.state.me.id);
  }

  async social<K extends CommandName>(name: K, payload: CommandInput<K>, done?: string): Promise<boolean> {
    const result = await this.run(name, payload);
    if (result && done) this.toast(done);
    await this.refreshSocial();
    return result !== undefined;
  }

  // ---- groups

  async createGroup(name: string, memberIds: string[]): Promise<string | undefined> {
    const result = await this.run('group:create', { name, memberIds });
    if (!result) return undefined;
    const id = `g:${result.group.id}`;
    this.state.conversations.set(id, {
      id,
      type: 'group',
      group: result.group,
      activityAt: Date.now(),
      unread: 0,
      readSeq: 0,
    });
    await this.refreshConversations();
    await this.open(id);
    return id;
  }

  /** One page of public groups whose name contains q; throws, so the search can show its error in place. */
  searchGroups(q: string, offset = 0): Promise<CommandResults['group:search']> {
    return this.client.command('group:search', { q, limit: GROUP_SEARCH_PAGE, offset });
  }

  /** Joins a public group (then it is in the conversation list) or files a request an admin must approve; throws on refusal. */
  async joinGroup(groupId: string): Promise<CommandResults['group:join']> {
    const result = await this.client.command('group:join', { groupId });
    if ('group' in result) await this.refreshConversations();
    return result;
  }

  async loadGroup(groupId: string): Promise<GroupDetails | undefined> {
    const info = await this.run('group:info', { groupId }, true);
    if (!info) return undefined;
    for (const m of info.members) {
      this.state.users.set(m.user.id, m.user);
      this.state.online.set(m.user.id, m.online);
    }
    this.state.groups.set(groupId, info);
    const conv = this.state.conversations.get(`g:${groupId}`);
    if (conv) conv.group = info.group;
    this.changed();
    return info;
  }

  /** A group admin command, then the details reloaded. */
  async groupAction<K extends CommandName>(name: K, payload: CommandInput<K> & { groupId: string }, done?: string): Promise<boolean> {
    const result = await this.run(name, payload);
    if (result && done) this.toast(done);
    if (name === 'group:leave' || name === 'group:dissolve') {
      this.state.groups.delete(payload.groupId);
      this.state.conversations.delete(`g:${payload.groupId}`);
      if (this.state.activeId === `g:${payload.groupId}`) this.state.activeId = undefined;
      this.changed();
    } else if (result) {
      await this.loadGroup(payload.groupId);
    }
    this.scheduleRefresh();
    return result !== undefined;
  }

  // ---- profile

  async updateProfile(patch: { displayName?: string; avatarUrl?: string; bio?: string }): Promise<User> {
    const { user } = await this.client.rest<{ user: User }>('PATCH', '/api/me', patch);
    this.state.me = user;
    this.state.users.set(user.id, user);
    this.changed();
    return user;
  }

  toast(text: string, tone: Toast['tone'] = 'info'): void {
    const toast = { id: ++this.toastSeq, text, tone };
    this.state.toasts = [...this.state.toasts, toast].slice(-3);
    this.changed();
    setTimeout(() => {
      this.state.toasts = this.state.toasts.filter((t) => t.id !== toast.id);
      this.changed();
    }, tone === 'error' ? 6_000 : 3_500);
  }

  userName(userId: string): string {
    return this.state.users.get(userId)?.displayName ?? 'Someone';
  }
}

function newest(a: Message | undefined, b: Message | undefined): Message | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.seq >= a.seq ? b : a;
}

const FRIENDLY: Partial<Record<string, string>> = {
  UNAVAILABLE: 'The server is unavailable right now. Try again in a moment.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'Not found.',
  RATE_LIMITED: 'Slow down a little and try again.',
  NO_NODES: 'No chat server is available right now.',
};

/** A message for a person, from any error. */
export function describe(err: unknown): string {
  if (err instanceof ParleyError) {
    if (err.code === 'FORBIDDEN' || err.code === 'INVALID_ARGUMENT' || err.code === 'CONFLICT') return capitalize(err.message);
    return FRIENDLY[err.code] ?? capitalize(err.message);
  }
  return err instanceof Error ? err.message : String(err);
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
