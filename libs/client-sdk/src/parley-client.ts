import { io as defaultIo } from 'socket.io-client';
import {
  ParleyError,
  type AttachmentLink,
  type AttachmentVariant,
  type AuthResult,
  type CommandInput,
  type CommandName,
  type CommandResults,
  type Message,
  type NewMessageTarget,
  type User,
  type UserSettings,
  type ConversationSettings,
} from '@parley/protocol';
import type { BackoffOptions } from '@parley/util';
import { uploadFile, type FileBytes, type UploadOptions } from './attachment-upload';
import { forwardServerEvents, type ClientEvents, type SignOutReason } from './client-events';
import { Connection, type AuthTrouble, type ClientState } from './connection';
import { Emitter } from './emitter';
import { GatewayApi } from './gateway-api';
import { Sender, type SendContent } from './sender';
import { Sync } from './sync';
import { TokenRenewal, type FreshToken, type Refresher } from './token-renewal';

export interface ParleyClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  gatewayUrl: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default socket.io-client's io */
  io?: typeof defaultIo;
  /** Reconnect and resend backoff. @default { initialMs: 250, maxMs: 5000 } */
  backoff?: Partial<BackoffOptions>;
  /** How long a REST request (sign-in, refresh…) may take before it counts as UNAVAILABLE and is retried. @default 15000 */
  requestTimeoutMs?: number;
  /** How long one command waits for its ack. @default 8000 */
  commandTimeoutMs?: number;
  /** How long `send` keeps retrying before giving up with UNAVAILABLE. @default 120000 */
  sendDeadlineMs?: number;
  /** Delivery acks are batched this long. @default 250 */
  ackDelayMs?: number;
  /** Passed to node assignment, for room-hash routing. */
  room?: string;
  /**
   * How the client gets a fresh access token before the current one expires
   * (then sent to the live socket with `auth:renew`), and when a handshake
   * refuses it. `false`: never; the session ends with its token.
   * @default `POST /api/auth/refresh` with the session's refresh token (or, in a browser, its cookie)
   */
  refresh?: Refresher | false;
}

/**
 * The Parley client: signs in at the gateway, connects to the node it is
 * given, and keeps the guarantees on the client's side: sends retried with
 * the same clientMsgId until acked, received messages deduped and released
 * in seq order with gaps fetched, a sync after every (re)connect, and a
 * reconnect through the gateway whenever a node dies or drains.
 *
 * A facade over four parts: the {@link Connection} (gateway assignment,
 * socket, reconnects), one {@link CommandChannel} per socket (acks,
 * timeouts), {@link Sync} (cursors, gap fill, delivery acks) and the
 * {@link Sender} (retries).
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private readonly api: GatewayApi;
  private readonly gatewayUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly connection: Connection;
  private readonly sync: Sync;
  private readonly sender: Sender;
  private readonly renewal: TokenRenewal | undefined;
  private auth: AuthResult | undefined;
  private signedOut = false;

  constructor(config: ParleyClientOptions) {
    super();
    const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
    this.gatewayUrl = config.gatewayUrl.replace(/\/$/, '');
    this.fetchImpl = fetchImpl;
    this.api = new GatewayApi(this.gatewayUrl, fetchImpl, config.requestTimeoutMs);
    const backoff: BackoffOptions = { initialMs: 250, maxMs: 5_000, ...config.backoff };
    this.sync = new Sync({
      ackDelayMs: config.ackDelayMs ?? 250,
      release: (m) => this.emit('message', m),
      update: (u) => this.emit('messageUpdate', u),
      channel: () => this.connection.channel,
    });
    this.connection = new Connection(
      { io: config.io ?? defaultIo, backoff, commandTimeoutMs: config.commandTimeoutMs ?? 8_000 },
      {
        assign: () => this.api.assign(this.requireAuth().token, config.room),
        token: () => this.requireAuth().token,
        attach: (socket, channel, current) => {
          forwardServerEvents(socket, (event, payload) => current() && this.emit(event, payload));
          this.sync.attach(socket, channel, current);
        },
        ready: (channel) => this.sync.syncAll(channel),
        state: (state) => {
          if (state === 'closed') this.sync.close();
          this.emit('state', state);
        },
        reconnected: (info) => this.emit('reconnected', info),
        reauthenticate: (trouble) => this.reauthenticate(trouble),
        // A refused token whose refresh was refused too: the refresh's answer says why (a suspension, else unauthorized).
        sessionOver: (trouble) => this.signOut(trouble === 'refused' ? (this.renewal?.refusal ?? 'unauthorized') : trouble),
      },
    );
    const refresh = config.refresh ?? (() => this.api.refresh(this.requireAuth().refreshToken));
    this.renewal =
      refresh === false
        ? undefined
        : new TokenRenewal({
            refresh,
            renewed: (fresh) => this.renewed(fresh),
            current: () => this.auth,
            over: (reason) => this.signOut(reason),
            backoff,
          });
    this.sender = new Sender({
      send: (payload) => this.command('message:send', payload),
      delivered: (message) => this.sync.ingest(message),
      closed: () => this.connection.state === 'closed',
      backoff,
      deadlineMs: config.sendDeadlineMs ?? 120_000,
    });
  }

  get state(): ClientState {
    return this.connection.state;
  }

  /** The IM node the client is (or was last) connected to. */
  get nodeId(): string | undefined {
    return this.connection.nodeId;
  }

  get user(): User | undefined {
    return this.auth?.user;
  }

  get session(): AuthResult | undefined {
    return this.auth;
  }

  async register(username: string, password: string, displayName?: string): Promise<AuthResult> {
    this.auth = await this.api.register(username, password, displayName);
    return this.auth;
  }

  async login(username: string, password: string): Promise<AuthResult> {
    this.auth = await this.api.login(username, password);
    return this.auth;
  }

  /** Resumes a session saved earlier (e.g. across page reloads). */
  useSession(auth: AuthResult): void {
    this.auth = auth;
  }

  /** Low-level REST call with this session's token (profile, user search…); a refused token is refreshed once. */
  async rest<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.api.request<T>(method, path, this.requireAuth().token, body);
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === 'UNAUTHORIZED' && this.renewal && (await this.renewal.refreshNow()))) throw err;
      return this.api.request<T>(method, path, this.requireAuth().token, body);
    }
  }

  /** Gets a fresh access token now (and hands it to the live socket); false when the session is over. */
  refreshToken(): Promise<boolean> {
    if (!this.renewal) return Promise.resolve(false);
    return this.renewal.refreshNow();
  }

  /** Ends this session at the gateway and closes the client (`signedOut` with `logout`). */
  async logout(): Promise<void> {
    await this.api.logout(this.requireAuth().token);
    this.signOut('logout');
  }

  /** Ends every session of the account, this one included. */
  async logoutAll(): Promise<void> {
    await this.api.logoutAll(this.requireAuth().token);
    this.signOut('logout-all');
  }

  /** Changes the password; the account's other sessions end, this one goes on. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.api.changePassword(this.requireAuth().token, currentPassword, newPassword);
  }

  /** Deletes the account (the password confirms it) and closes the client. */
  async deleteAccount(password: string): Promise<void> {
    await this.api.deleteAccount(this.requireAuth().token, password);
    this.signOut('account-deleted');
  }

  /** Connects and syncs; afterwards the client reconnects by itself until close(). */
  async connect(): Promise<void> {
    this.requireAuth();
    if (this.connection.state === 'closed') throw new ParleyError('UNAVAILABLE', 'client is closed');
    if (this.connection.state === 'connected') return;
    this.renewal?.start();
    await this.connection.establish();
  }

  /** Sends the delivery acks still pending and disconnects for good. */
  async close(): Promise<void> {
    this.renewal?.stop();
    this.sync.close();
    this.connection.close();
  }

  /** Sends a text message (a reply, with mentions); resolves with the stored message once the server has committed it. */
  send(to: NewMessageTarget, text: string, options: SendOptions = {}): Promise<Message> {
    return this.sender.send(to, { kind: 'text', body: { text }, ...replyAndMentions(options) }, options.clientMsgId);
  }

  /**
   * Uploads a file and sends it as a message: kind `image` when the server
   * found image bytes (else `file`), with an optional caption. The upload is
   * not repeated when the send is retried.
   */
  async sendAttachment(to: NewMessageTarget, file: FileBytes, name: string, options: SendAttachmentOptions = {}): Promise<Message> {
    const attachment = await uploadFile(
      { rest: (method, path, body) => this.rest(method, path, body), resolve: (url) => this.resolve(url), fetch: this.fetchImpl },
      file,
      name,
      options,
    );
    const kind = options.kind ?? (attachment.mime.startsWith('image/') && attachment.width !== undefined ? 'image' : 'file');
    const body = options.caption ? { attachmentId: attachment.id, caption: options.caption } : { attachmentId: attachment.id };
    const content: SendContent = { kind, body, ...replyAndMentions(options) };
    return this.sender.send(to, content, options.clientMsgId);
  }

  /** Short-lived URLs (absolute) to an attachment's bytes and thumbnail; members of its conversation only (NOT_FOUND otherwise). */
  async attachmentLink(attachmentId: string, variant?: AttachmentVariant): Promise<AttachmentLink> {
    const query = variant ? `?variant=${variant}` : '';
    const link = await this.rest<AttachmentLink>('GET', `/api/attachments/${encodeURIComponent(attachmentId)}${query}`);
    return { ...link, url: this.resolve(link.url), ...(link.thumbnailUrl ? { thumbnailUrl: this.resolve(link.thumbnailUrl) } : {}) };
  }

  /** Replaces the text of one of your text messages; resolves with the message as it is now (`editedAt` set). */
  edit(messageId: string, text: string): Promise<Message> {
    return this.sender.retry(async () => (await this.command('message:edit', { messageId, body: { text } })).message);
  }

  /** Recalls a message for everyone (yours within the recall window, or any in a group you administer): it becomes a tombstone. */
  async recall(messageId: string): Promise<void> {
    await this.sender.retry(() => this.command('message:recall', { messageId }));
  }

  /** Puts an emoji reaction on a message (`on: false` takes it off); doing what is already done changes nothing. */
  async react(messageId: string, emoji: string, on = true): Promise<void> {
    await this.sender.retry(() => this.command('message:react', { messageId, emoji, on }));
  }

  /** Deletes a message from your own views (every device); the others still see it. */
  async deleteForMe(messageId: string): Promise<void> {
    await this.sender.retry(() => this.command('message:delete', { messageId }));
  }

  /** Messages matching `q` in your conversations (or one), newest first; pass `next` back as `before` for more. */
  search(q: string, options: { conversationId?: string; limit?: number; before?: string } = {}): Promise<CommandResults['message:search']> {
    return this.command('message:search', { q, ...options });
  }

  /** The earlier texts of an edited message, oldest first. */
  async versions(messageId: string): Promise<CommandResults['message:versions']['versions']> {
    return (await this.command('message:versions', { messageId })).versions;
  }

  /** Your own settings: who may message you, which invitations ask you, push previews, do-not-disturb hours. */
  async settings(): Promise<UserSettings> {
    return (await this.command('settings:get', {})).settings;
  }

  /** Patches your settings (`dnd: null` turns DND off); your other sessions get `settingsUpdate`. */
  async updateSettings(patch: CommandInput<'settings:update'>): Promise<UserSettings> {
    return (await this.command('settings:update', patch)).settings;
  }

  /**
   * Patches your notification and pin settings of one conversation (`pinned`,
   * `notify`, `mutedUntil`: null unmutes); your other sessions get
   * `conversationSettings`. CONFLICT past MAX_PINNED pins.
   */
  async conversationSettings(patch: CommandInput<'conversation:settings'>): Promise<ConversationSettings> {
    return (await this.command('conversation:settings', patch)).settings;
  }

  /**
   * Tells the server whether this client's page is in front of its user. A
   * client that never says counts as visible: pushes reach a user only once
   * every session is gone or hidden for a while.
   */
  async setVisibility(visible: boolean): Promise<void> {
    await this.command('presence:visibility', { visible });
  }

  /** Runs one command on the current node, waiting for a connection first. */
  async command<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<CommandResults[K]> {
    await this.connection.whenConnected();
    const channel = this.connection.channel;
    if (!channel || this.connection.state !== 'connected') throw new ParleyError('UNAVAILABLE', 'not connected');
    return channel.request(name, payload);
  }

  /** Fetches everything after what the client holds, for every known conversation. */
  async syncNow(): Promise<void> {
    await this.connection.whenConnected();
    const channel = this.connection.channel;
    if (channel) await this.sync.syncAll(channel);
  }

  /** Content messages held for a conversation, in seq order, as they are now (deleted-for-me ones left out). */
  messages(conversationId: string): readonly Message[] {
    return this.sync.messages(conversationId);
  }

  /** A held message, as it is now. */
  message(conversationId: string, messageId: string): Message | undefined {
    return this.sync.find(conversationId, messageId);
  }

  conversationIds(): string[] {
    return this.sync.conversationIds();
  }

  /** Tells the client where a conversation starts for it (e.g. from conversation:list), before anything arrives. */
  seedCursor(conversationId: string, seq: number): void {
    this.sync.seedCursor(conversationId, seq);
  }

  /**
   * A fresh token is in use from now on: for REST, for the next handshake,
   * and on the live socket. Unless it is another account's (a browser's
   * shared cookie now holds another sign-in): then this client signs out.
   */
  private async renewed(fresh: FreshToken): Promise<boolean> {
    const current = this.requireAuth();
    if (fresh.user !== undefined && fresh.user.id !== current.user.id) {
      this.signOut('account-switched');
      return false;
    }
    this.auth = { ...current, ...fresh };
    // Not awaited: a slow node must not hold up the refresh other callers wait for.
    void this.renewSocket(fresh);
    return true;
  }

  private async renewSocket(fresh: FreshToken): Promise<void> {
    const channel = this.connection.channel;
    if (this.connection.state === 'connected' && channel?.open) {
      try {
        await channel.request('auth:renew', { token: fresh.token });
      } catch {
        // Refused (the session ended meanwhile): the node ends the socket with session:ended, handled there.
        // Unanswered: the socket is going; the next handshake carries the fresh token. Not renewed on this socket either way.
        return;
      }
    }
    this.emit('tokenRenewed', { expiresAt: fresh.expiresAt });
  }

  /** What the connection asks when its token was refused or its session ended (see ConnectionHooks). */
  private async reauthenticate(trouble: AuthTrouble): Promise<boolean> {
    if (!this.renewal || (trouble !== 'refused' && trouble !== 'expired')) return false;
    return this.renewal.refreshNow();
  }

  /** The session is over: close for good and say so, once. */
  private signOut(reason: SignOutReason): void {
    if (this.signedOut) return;
    this.signedOut = true;
    this.renewal?.stop();
    this.sync.close();
    this.connection.close();
    this.emit('signedOut', { reason });
  }

  /** A URL the gateway gave, absolute (it may be relative to the gateway). */
  private resolve(url: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
    return `${this.gatewayUrl}${url.startsWith('/') ? '' : '/'}${url}`;
  }

  private requireAuth(): AuthResult {
    if (!this.auth) throw new ParleyError('UNAUTHORIZED', 'log in first');
    return this.auth;
  }
}

export interface SendOptions {
  /** Reuse to make a retry of an earlier send count once. @default a new UUID */
  clientMsgId?: string;
  /** The id of the message this one answers (same conversation); the message then carries a `quote` of it. */
  replyTo?: string;
  /** User ids to notify (members of the conversation), or `['@all']` (group owners and admins). */
  mentions?: string[];
}

export interface SendAttachmentOptions extends SendOptions, UploadOptions {
  caption?: string;
  /** @default `image` when the server found an image, else `file` */
  kind?: 'image' | 'file';
}

function replyAndMentions(options: SendOptions): { replyTo?: string; mentions?: string[] } {
  return {
    ...(options.replyTo !== undefined ? { replyTo: options.replyTo } : {}),
    ...(options.mentions !== undefined ? { mentions: options.mentions } : {}),
  };
}
