import type { Message, ServerEventName, ServerEventPayloads, SessionEndReason } from '@parley/protocol';
import type { ClientSocket } from './command-channel';
import type { ClientState } from './connection';
import type { MessageUpdate } from './conversation-log';

/**
 * Server events the client consumes itself: pushes feed the ordered `message`
 * and `messageUpdate` events, a resync request triggers a sync.
 */
export type ConsumedServerEvent = 'message:new' | 'message:update' | 'server:resync';

/** Server events passed on to the application, with the payload the protocol gives them. */
export type ForwardedServerEvent = Exclude<ServerEventName, ConsumedServerEvent>;

/**
 * The name each forwarded server event has on the client. The compiler keeps
 * this table complete: a server event added to the protocol does not build
 * until it is either named here or listed as consumed above.
 */
export const FORWARDED_EVENTS = {
  /** Someone read a conversation up to `readSeq`. */
  'message:receipt': 'receipt',
  typing: 'typing',
  'presence:update': 'presence',
  /** A group changed: to its members and to whoever was removed. */
  'group:update': 'group',
  /** A join request for a group you administer, or about you, was made or answered. */
  'group:request': 'groupRequest',
  /** A friend request arrived for you. */
  'friend:request': 'friendRequest',
  /** A friend request was answered or cancelled, or a friendship ended. */
  'friend:update': 'friendUpdate',
  /** The node is shutting down; the client moves on its own after `reconnectAfterMs`. */
  'server:draining': 'draining',
  /** A group invitation for you was made, or one you made was answered. */
  'group:invitation': 'groupInvitation',
  /**
   * The node ended this session's socket. The client handles it itself: after
   * `expired` it refreshes and reconnects; any other reason signs it out
   * (`signedOut`).
   */
  'session:ended': 'sessionEnded',
  /** An operator's notice to everyone online: show it as a banner. */
  'system:notice': 'notice',
  /** Your settings changed on another of your sessions (previews, DND, who may reach you). */
  'settings:update': 'settingsUpdate',
  /** Your settings of a conversation changed on another of your sessions (mute, notify, pin). */
  'conversation:settings': 'conversationSettings',
} as const satisfies Record<ForwardedServerEvent, string>;

/** The server's pushes under their client names, each with the protocol's payload type. */
export type ServerEvents = { [K in ForwardedServerEvent as (typeof FORWARDED_EVENTS)[K]]: [ServerEventPayloads[K]] };

/** Everything a ParleyClient emits: the forwarded server events plus the client's own. */
export interface ClientEvents extends ServerEvents {
  /**
   * Each content message (text, system, image, file) once, in seq order per
   * conversation, with nothing missing but what is hidden from this user;
   * in its current state (an edit, a recall or reactions made before the
   * client got it are already in).
   */
  message: [Message];
  /**
   * A change entry of a conversation's log (edit, recall, reaction, delete
   * for me), in seq order with the messages: `message` is the changed
   * message as it is now (`deleted: true`: gone from this user's views, as
   * `messages()` already shows). A recall also reports each held reply whose
   * quote now shows the target recalled.
   */
  messageUpdate: [MessageUpdate];
  state: [ClientState];
  /** After a lost connection came back (any node). */
  reconnected: [{ nodeId: string; downtimeMs: number }];
  /** A fresh access token is in use (and on the live socket, if any); `expiresAt` is its expiry. */
  tokenRenewed: [{ expiresAt: number }];
  /**
   * The session is over and the client closed for good: ended by the server
   * (`reason` says why), or its token refused and no refresh possible
   * (`unauthorized`). Sign in again with a new client.
   */
  signedOut: [{ reason: SignOutReason }];
}

/**
 * Why a client signed out: the server's reason, `unauthorized` when its
 * token was refused and could not be refreshed, or `account-switched` when a
 * refresh answered for another account (a browser's shared cookie now holds
 * another sign-in).
 */
export type SignOutReason = SessionEndReason | 'unauthorized' | 'account-switched';

/**
 * Passes every forwarded server event of a socket on to `emit` under its
 * client name. The payload is typed `never` here because a name and its
 * payload are only correlated through the table above, which the mapped
 * `ServerEvents` type already checks.
 */
export function forwardServerEvents(socket: ClientSocket, emit: (event: keyof ServerEvents, payload: never) => void): void {
  const on = socket.on.bind(socket) as (event: string, listener: (payload: never) => void) => void;
  for (const event of Object.keys(FORWARDED_EVENTS) as ForwardedServerEvent[]) {
    const name = FORWARDED_EVENTS[event];
    on(event, (payload) => emit(name, payload));
  }
}
