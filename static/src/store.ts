import { ParleyClient } from '@parley/client';
import {
  ParleyError,
  directConversationId,
  type AuthResult,
  type CommandInput,
  type CommandName,
  type CommandResults,
  type Message,
  type MessageUpdateEvent,
  type User,
} from '@parley/protocol';
import { t } from './i18n';
import { PushSubscriber } from './push/push-subscriber';
import { AccountSession } from './account-session';
import { describe } from './describe-error';
import type { BrowserSession } from './session';
import { GroupActions } from './group-actions';
import { SettingsActions } from './settings-actions';
import { OperatorChannel } from './operator-channel';
import { AttachmentLinks } from './messages/attachment-links';
import { AttachmentSender } from './messages/attachment-sender';
import { MessageActions } from './messages/message-actions';
import { MessageFinder } from './messages/message-finder';
import { OutgoingQueue } from './messages/outgoing-queue';
import type { Action } from './state/actions';
import { countsAsUnread, targetOf } from './state/conversations';
import { groupChangeForMe } from './state/groups';
import { reduce } from './state/reducer';
import { presenceTargets } from './state/social';
import { initialState, type State, type Toast } from './state/types';

export type { Conversation, ConnectionState, GroupDetails, Outgoing, Social, State, Thread, Toast, Upload } from './state/types';
export { describe } from './describe-error';

const PAGE = 30;
const TYPING_SHOW_MS = 4_000;
const TYPING_SEND_EVERY_MS = 2_500;
const PRESENCE_REFRESH_MS = 30_000;
/** Group changes and unknown conversations arrive in bursts: one list refresh this long after the last. */
const REFRESH_COALESCE_MS = 150;
/** Groups whose members are fetched per conversation-list refresh (for names in previews). */
const GROUP_PREFETCH_MAX = 20;

/**
 * The app's state and every action on it, over one ParleyClient. Views read
 * `state` and re-render on `subscribe`; nothing here touches the DOM. The
 * state itself changes only through `dispatch` and the pure slice reducers
 * in `state/`; this class turns client events and user actions into those
 * actions, runs the commands, and owns the timers.
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
  /** How this sign-in ends, and the account requests (password, sign out, delete). */
  readonly account: AccountSession;
  /** Whether I am an operator (the console link), and the operators' notices. */
  readonly operators: OperatorChannel;
  /** Groups and the invitations addressed to me. */
  readonly groups: GroupActions;
  /** Edit, recall, react, delete for me. */
  readonly messages: MessageActions;
  /** Message search, and opening a message in its context. */
  readonly finder: MessageFinder;
  /** Files sent as messages, with progress. */
  readonly attachments: AttachmentSender;
  /** Short-lived URLs to attachments. */
  readonly links: AttachmentLinks;
  /** My text messages until the server stores them (send, retry, discard). */
  private readonly outbox: OutgoingQueue;
  /** This browser's push subscription for the session. */
  readonly push: PushSubscriber;
  /** My settings, each chat's notification and pin settings, and the page's visibility as the server knows it. */
  readonly settings: SettingsActions;
  /** Settles once the conversation list was loaded (a link to a chat waits for it). */
  private readonly firstList: Promise<void>;
  private listLoaded: () => void = () => undefined;

  /**
   * `session` is the signed-in session (its access token only ever in
   * memory); `auth` renews it; `onSignedOut` hears once when it ends, with
   * what to tell the person (nothing when they signed out themselves).
   */
  constructor(
    session: AuthResult,
    gatewayUrl: string,
    auth: BrowserSession,
    onSignedOut: (notice?: string) => void,
    private readonly isVisible: () => boolean = () => document.visibilityState === 'visible',
  ) {
    this.client = new ParleyClient({ gatewayUrl, refresh: () => auth.renew() });
    this.client.useSession(session);
    this.push = new PushSubscriber((method, path, body) => this.client.rest(method, path, body));
    // Signing out stops pushes to this browser first (the next person here must not get them).
    this.account = new AccountSession(this.client, onSignedOut, () => this.closed, () => this.push.disable());
    this.operators = new OperatorChannel(this.client, (action) => this.dispatch(action));
    this.groups = new GroupActions({
      client: this.client,
      run: (name, payload, quiet) => this.run(name, payload, quiet),
      dispatch: (action) => this.dispatch(action),
      toast: (text, tone) => this.toast(text, tone),
      refreshConversations: () => this.refreshConversations(),
      scheduleRefresh: () => this.scheduleRefresh(),
      open: (conversationId) => this.open(conversationId),
      meId: () => this.meId,
      userName: (userId) => this.userName(userId),
      nameAmong: (users) => this.nameAmong(users),
    });
    const host = {
      client: this.client,
      dispatch: (action: Action) => this.dispatch(action),
      state: () => this.state,
      meId: () => this.meId,
    };
    this.settings = new SettingsActions({ ...host, run: (name, payload, quiet) => this.run(name, payload, quiet), isVisible: () => this.isVisible() });
    this.messages = new MessageActions({ ...host, toast: (text, tone) => this.toast(text, tone) });
    this.finder = new MessageFinder({
      ...host,
      open: (conversationId) => this.open(conversationId),
      loadOlder: (conversationId) => this.loadOlder(conversationId),
      toast: (text, tone) => this.toast(text, tone),
    });
    this.attachments = new AttachmentSender({ ...host, received: (m) => this.onMessage(m) });
    this.outbox = new OutgoingQueue({ ...host, received: (m) => this.onMessage(m) });
    this.links = new AttachmentLinks(this.client);
    this.state = initialState(session.user);
    this.firstList = new Promise((resolve) => (this.listLoaded = resolve));
    this.wire();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one action; views hear of it only if the state changed (a new object) and the store is open. */
  private dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    if (this.closed) return;
    for (const l of [...this.listeners]) l();
  }

  private get meId(): string {
    return this.state.me.id;
  }

  private wire(): void {
    const c = this.client;
    this.unsubscribers.push(
      c.on('state', (s) => this.dispatch({ type: 'connection/changed', connection: s, nodeId: c.nodeId })),
      // The client renews an expiring token by itself; it signs out only when the session cannot go on, saying why.
      c.on('signedOut', ({ reason }) => this.account.signedOut(reason)),
      c.on('reconnected', ({ nodeId }) => {
        this.dispatch({ type: 'connection/reconnected', nodeId });
        this.toast(t('app.reconnected', { node: nodeId }));
        this.settings.reportVisibility(true);
        void this.refreshAll();
      }),
      c.on('draining', () => this.dispatch({ type: 'connection/draining' })),
      c.on('message', (m) => this.onMessage(m)),
      // A change entry with the changed message's state (absent: the client holds nothing of it, the entry says what it did).
      c.on('messageUpdate', ({ entry, message }) => (message ? this.onUpdate({ entry, message }) : this.onMessage(entry))),
      c.on('receipt', (receipt) => this.dispatch({ type: 'receipt/received', receipt, meId: this.meId })),
      c.on('typing', (t) => {
        if (t.userId === this.meId) return;
        this.dispatch({ type: 'typing/started', conversationId: t.conversationId, userId: t.userId, until: Date.now() + TYPING_SHOW_MS });
        setTimeout(() => this.dispatch({ type: 'typing/expired', now: Date.now() }), TYPING_SHOW_MS + 50);
      }),
      c.on('presence', (presence) => this.dispatch({ type: 'presence/changed', presence })),
      c.on('group', (event) => {
        const known = this.state.groups.has(event.group.id);
        const forMe = groupChangeForMe(event, this.meId);
        this.dispatch({ type: 'group/event', event, meId: this.meId });
        if (forMe === 'removed') {
          if (event.change === 'kicked') this.toast(t('groups.removed', { name: event.group.name }));
          if (event.change === 'dissolved') this.toast(t('groups.dissolved', { name: event.group.name }));
        } else if (forMe === 'added') {
          this.toast(t('groups.added', { name: event.group.name }));
        } else if (known) {
          void this.groups.loadGroup(event.group.id);
        }
        this.scheduleRefresh();
      }),
      c.on('friendRequest', ({ request }) => {
        if (request.toUserId === this.meId) this.toast(t('contacts.incoming', { name: request.fromUser.displayName }));
        void this.refreshSocial();
      }),
      c.on('friendUpdate', (u) => {
        if ('request' in u && u.request.status === 'accepted' && u.request.fromUserId === this.meId) {
          this.toast(t('contacts.acceptedYours', { name: u.request.toUser.displayName }));
        }
        void this.refreshSocial();
      }),
      c.on('groupRequest', () => this.scheduleRefresh()),
      // My settings changed on another device.
      c.on('settingsUpdate', ({ settings }) => this.dispatch({ type: 'settings/changed', settings })),
      c.on('conversationSettings', ({ settings }) => this.dispatch({ type: 'conversation/settings', settings })),
      c.on('groupInvitation', ({ invitation }) => this.groups.onInvitation(invitation)),
      this.operators.listen(),
    );
  }

  /** Connects, then loads conversations and contacts; asks the admin API once whether I am an operator. */
  async start(): Promise<void> {
    this.presenceTimer = setInterval(() => {
      if (this.state.connection === 'connected') void this.refreshPresence();
    }, PRESENCE_REFRESH_MS);
    void this.operators.checkAccess();
    try {
      await this.client.connect();
      this.settings.reportVisibility();
      void this.settings.load();
      // Pushes follow this session when the browser allowed them before (no prompt here).
      void this.push.resume().catch(() => undefined);
      await this.refreshAll();
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'UNAUTHORIZED') this.account.signedOut(undefined);
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
    await Promise.all([this.refreshConversations(), this.refreshSocial(), this.groups.refreshInvitations()]);
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
    const summaries = result.conversations;
    // From here on the client library keeps each conversation in sync across reconnects.
    for (const s of summaries) this.client.seedCursor(s.conversationId, s.lastSeq);
    const activeId = this.state.activeId;
    const visible = activeId !== undefined && this.isVisible();
    this.dispatch({ type: 'conversations/listed', summaries, visible });
    this.listLoaded();
    // The open chat of a visible tab stays read: the server hears of it.
    if (visible && summaries.some((s) => s.conversationId === activeId && s.unread > 0)) void this.markRead(activeId);
    // Group member names for previews ("Bob: …") and sender labels.
    const unknownGroups = [...this.state.conversations.values()].flatMap((c) => (c.group && !this.state.groups.has(c.group.id) ? [c.group.id] : []));
    await Promise.all(unknownGroups.slice(0, GROUP_PREFETCH_MAX).map((id) => this.groups.loadGroup(id)));
    await this.refreshPresence();
  }

  /**
   * Online state of direct peers and friends (pushes reach friends only; this
   * catches peers up too). The server leaves out whom we may no longer see
   * (a block either way, a DM not yet written): their old state is dropped.
   */
  async refreshPresence(): Promise<void> {
    const asked = presenceTargets(this.state);
    if (asked.length === 0) return;
    const result = await this.run('presence:query', { userIds: asked }, true);
    if (result) this.dispatch({ type: 'presence/queried', asked, presence: result.presence });
  }

  /** The refresh after a group change or an unknown conversation, coalesced. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshConversations(), REFRESH_COALESCE_MS);
  }

  /** A message changed (edited, recalled, reacted to; deleted, when I deleted it on any device). */
  onUpdate({ message, entry }: MessageUpdateEvent): void {
    this.dispatch({ type: 'message/updated', message, entrySeq: entry.seq, meId: this.meId });
  }

  private onMessage(m: Message): void {
    const conv = this.state.conversations.get(m.conversationId);
    // In the open chat of a visible tab a new message is read at once.
    const readNow = conv !== undefined && countsAsUnread(conv, m, this.meId) && this.state.activeId === m.conversationId && this.isVisible();
    this.dispatch({ type: 'message/received', message: m, meId: this.meId, readNow });
    if (!conv) this.scheduleRefresh();
    if (readNow) void this.markRead(m.conversationId);
  }

  /** Opens a conversation: loads its newest page once and marks it read. */
  async open(conversationId: string | undefined): Promise<void> {
    this.dispatch({ type: 'conversation/opened', conversationId });
    if (!conversationId) return;
    const group = this.state.conversations.get(conversationId)?.group;
    if (group && !this.state.groups.has(group.id)) void this.groups.loadGroup(group.id);
    // What is held already counts as read at once (the badge clears as the chat opens), without waiting for the first page.
    const readingHeld = this.markRead(conversationId);
    if (!this.state.threads.get(conversationId)?.loaded) await this.loadOlder(conversationId);
    await readingHeld;
    await this.markRead(conversationId);
  }

  /** Opens a conversation a link named (`?c=`, a notification click) once the list is known; says so when it is not mine. */
  async openLinked(conversationId: string): Promise<void> {
    await this.firstList;
    if (this.state.conversations.has(conversationId)) await this.open(conversationId);
    else this.toast(t('app.notFound'), 'error');
  }

  /** Sends files to a conversation, each as an image or file message with its own progress bar. */
  sendFiles(conversationId: string, files: readonly File[], caption?: string): void {
    const conv = this.state.conversations.get(conversationId);
    if (!conv) return;
    files.forEach((file, i) => void this.attachments.send(conversationId, targetOf(conv), file, i === 0 ? caption : undefined));
  }

  /** Fetches the page before the oldest message held (the newest page the first time). */
  async loadOlder(conversationId: string): Promise<void> {
    const thread = this.state.threads.get(conversationId);
    if (!thread || thread.loading || (thread.loaded && !thread.hasMore)) return;
    const conv = this.state.conversations.get(conversationId);
    if (!thread.loaded && conv && !conv.last) {
      // A brand-new direct chat: nothing to fetch yet.
      this.dispatch({ type: 'history/none', conversationId });
      return;
    }
    this.dispatch({ type: 'history/requested', conversationId });
    const oldest = thread.loaded ? Math.min(thread.coveredFrom ?? Infinity, thread.messages[0]?.seq ?? Infinity) : undefined;
    const result = await this.run('history:fetch', { conversationId, beforeSeq: oldest === Infinity ? undefined : oldest, limit: PAGE }, true);
    this.dispatch({ type: 'history/loaded', conversationId, page: result, meId: this.meId });
  }

  /** Everything held in the conversation counts as read; the server hears of it if how far I read moved. */
  async markRead(conversationId: string): Promise<void> {
    const before = this.state.conversations.get(conversationId)?.readSeq ?? 0;
    this.dispatch({ type: 'conversation/read', conversationId });
    const seq = this.state.conversations.get(conversationId)?.readSeq ?? 0;
    if (seq > before) await this.run('conversation:read', { conversationId, seq }, true);
  }

  /** Called when the tab is shown or hidden: the open chat counts as read; the server hears (pushes go to hidden tabs). */
  visibilityChanged(): void {
    if (this.isVisible() && this.state.activeId) void this.markRead(this.state.activeId);
    this.settings.reportVisibility();
  }

  /** Opens (creating locally if needed) the direct chat with a user. */
  async openDirect(user: User): Promise<string> {
    const id = directConversationId(this.meId, user.id);
    this.dispatch({ type: 'direct/opened', conversationId: id, user, at: Date.now() });
    await this.open(id);
    return id;
  }

  /** Sends text; `replyTo` answers a message (its quote shows above), `mentions` are user ids or ['@all']. */
  send(conversationId: string, text: string, extras: { replyTo?: Message; mentions?: string[] } = {}): void {
    const conv = this.state.conversations.get(conversationId);
    if (!conv) return;
    // Typing again right after a send is told to the others at once, not after the throttle's wait.
    this.lastTypingSent.delete(conversationId);
    void this.outbox.send(conversationId, targetOf(conv), text, extras);
  }

  /** Sends again with the same clientMsgId, so the server stores it at most once. */
  retry(clientMsgId: string): void {
    void this.outbox.retry(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.outbox.discard(clientMsgId);
  }

  /** Tells the others I am typing, at most every few seconds. */
  typing(conversationId: string): void {
    const now = Date.now();
    if (now - (this.lastTypingSent.get(conversationId) ?? 0) < TYPING_SEND_EVERY_MS) return;
    if (this.state.connection !== 'connected') return;
    this.lastTypingSent.set(conversationId, now);
    void this.run('typing', { conversationId }, true);
  }

  // ---- contacts

  async refreshSocial(): Promise<void> {
    const [list, requests, blocked] = await Promise.all([
      this.run('friend:list', {}, true),
      this.run('friend:requests', {}, true),
      this.run('user:blocked', {}, true),
    ]);
    this.dispatch({ type: 'social/loaded', friends: list?.friends, requests, blocked: blocked?.users });
  }

  async searchUsers(q: string): Promise<User[]> {
    const { users } = await this.client.rest<{ users: User[] }>('GET', `/api/users?q=${encodeURIComponent(q)}&limit=20`);
    return users.filter((u) => u.id !== this.meId);
  }

  async social<K extends CommandName>(name: K, payload: CommandInput<K>, done?: string): Promise<boolean> {
    const result = await this.run(name, payload);
    if (result && done) this.toast(done);
    await this.refreshSocial();
    return result !== undefined;
  }

  // ---- profile

  async updateProfile(patch: { displayName?: string; avatarUrl?: string; bio?: string }): Promise<User> {
    const { user } = await this.client.rest<{ user: User }>('PATCH', '/api/me', patch);
    this.dispatch({ type: 'profile/updated', user });
    return user;
  }

  toast(text: string, tone: Toast['tone'] = 'info'): void {
    const toast = { id: ++this.toastSeq, text, tone };
    this.dispatch({ type: 'toast/shown', toast });
    setTimeout(() => this.dispatch({ type: 'toast/expired', id: toast.id }), tone === 'error' ? 6_000 : 3_500);
  }

  userName(userId: string): string {
    return this.state.users.get(userId)?.displayName ?? 'Someone';
  }

  /** Names by id, from the users given first (people found by search are not known to the state). */
  private nameAmong(users: readonly User[]): (userId: string) => string {
    return (userId) => users.find((u) => u.id === userId)?.displayName ?? this.userName(userId);
  }
}
