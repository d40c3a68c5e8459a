import type { ConversationSettings, ConversationSummary, FriendRequest, FriendView, Group, GroupInvitation, GroupUpdateEvent, Message, PresenceInfo, SystemNotice, User, UserSettings } from '@parley/protocol';
import type { ConnectionState, GroupDetails, Outgoing, Toast, Upload } from './types';

/** A page of a conversation's log (history:fetch's answer): change entries and hidden seqs included as the server gives them. */
export interface HistoryPage {
  messages: readonly Message[];
  hasMore: boolean;
  /** The highest seq the page covers (seqs up to it that it lacks are hidden from this user). */
  throughSeq: number;
  /** The current state of messages the page's change entries target that are not in the page. */
  updates?: readonly Message[];
}

/**
 * Everything that changes the web client's state, as data. Each slice
 * reducer handles the actions it cares about and returns its state untouched
 * for the rest. Actions carry every fact a reducer cannot know by itself
 * (my user id, the time, whether the tab is visible), so reducers stay pure.
 */
export type Action =
  // ---- session
  /** The client library's connection state (and the node it is on). */
  | { type: 'connection/changed'; connection: ConnectionState; nodeId?: string }
  /** The node said it is shutting down; the client moves by itself. */
  | { type: 'connection/draining' }
  | { type: 'connection/reconnected'; nodeId: string }
  | { type: 'profile/updated'; user: User }
  /** The admin API answered whether I am an operator. */
  | { type: 'operator/checked'; operator: boolean }
  // ---- conversations
  /** The server's conversation list; `visible`: whether the tab is in front (the open chat then counts as read). */
  /** My settings of one conversation changed (here or on another device). */
  | { type: 'conversation/settings'; settings: ConversationSettings }
  /** My user settings, loaded or changed (here or on another device). */
  | { type: 'settings/changed'; settings: UserSettings }
  | { type: 'conversations/listed'; summaries: readonly ConversationSummary[]; visible: boolean }
  /** A message pushed or acked; `readNow`: it is in the open chat of a visible tab, so it does not count as unread. */
  | { type: 'message/received'; message: Message; meId: string; readNow: boolean }
  /**
   * A message changed (edited, recalled, reacted to, deleted for me): `message`
   * is its state now, `entrySeq` the seq of the change entry that did it.
   */
  | { type: 'message/updated'; message: Message; entrySeq: number; meId: string }
  | { type: 'history/requested'; conversationId: string }
  /**
   * A page of older messages (or, `newer`, of the messages after those held),
   * or `page` undefined when the fetch failed. `hasMore`: more in the direction fetched.
   */
  | { type: 'history/loaded'; conversationId: string; page?: HistoryPage; meId: string; newer?: boolean }
  /** The thread replaced by a window of messages around one (opened from search or a quote). */
  | { type: 'history/around'; conversationId: string; page: HistoryPage; hasOlder: boolean; hasNewer: boolean; meId: string }
  /** Bring a message into view and highlight it. */
  | { type: 'message/focused'; conversationId: string; messageId: string; nonce: number }
  /** A brand-new conversation without messages: nothing to fetch. */
  | { type: 'history/none'; conversationId: string }
  | { type: 'receipt/received'; receipt: { conversationId: string; userId: string; readSeq: number }; meId: string }
  | { type: 'typing/started'; conversationId: string; userId: string; until: number }
  | { type: 'typing/expired'; now: number }
  /** The chat the user looks at (undefined: none). */
  | { type: 'conversation/opened'; conversationId?: string }
  /** Everything held in the conversation is read (unread cleared, readSeq up to the newest message held). */
  | { type: 'conversation/read'; conversationId: string }
  /** A direct chat opened with a user, created locally if it has no messages yet. */
  | { type: 'direct/opened'; conversationId: string; user: User; at: number }
  // ---- outbox
  | { type: 'outbox/queued'; outgoing: Outgoing }
  | { type: 'outbox/sent'; clientMsgId: string; conversationId: string; seq: number }
  | { type: 'outbox/failed'; clientMsgId: string; error: string }
  | { type: 'outbox/retried'; clientMsgId: string }
  | { type: 'outbox/discarded'; clientMsgId: string }
  // ---- uploads
  | { type: 'upload/started'; upload: Upload }
  | { type: 'upload/progress'; id: string; progress: number }
  /** The bytes are stored: the message is being sent. */
  | { type: 'upload/sending'; id: string }
  | { type: 'upload/failed'; id: string; error: string }
  /** Sent (the message arrives like any other) or dismissed. */
  | { type: 'upload/finished'; id: string }
  // ---- message search
  | { type: 'search/started'; q: string }
  /** A page of results for `q`; `append`: a further page of the same query. */
  | { type: 'search/loaded'; q: string; results: readonly Message[]; next?: string; append: boolean }
  | { type: 'search/failed'; q: string; error: string }
  | { type: 'search/cleared' }
  // ---- social
  | { type: 'presence/changed'; presence: PresenceInfo }
  /** A presence query's answer: whom the server left out of `asked` we may no longer see. */
  | { type: 'presence/queried'; asked: readonly string[]; presence: readonly PresenceInfo[] }
  /** Contacts reloaded; a part left undefined failed to load and keeps its old value. */
  | {
      type: 'social/loaded';
      friends?: FriendView[];
      requests?: { incoming: readonly FriendRequest[]; outgoing: readonly FriendRequest[] };
      blocked?: User[];
    }
  // ---- groups
  | { type: 'group/event'; event: GroupUpdateEvent; meId: string }
  | { type: 'group/created'; group: Group; at: number }
  | { type: 'group/loaded'; groupId: string; details: GroupDetails }
  /** I left or dissolved the group: it goes away at once. */
  | { type: 'group/left'; groupId: string }
  // ---- group invitations
  /** My pending invitations as the server lists them. */
  | { type: 'invitations/loaded'; invitations: readonly GroupInvitation[] }
  /** An invitation made to me, or one of mine answered (pushed live). */
  | { type: 'invitation/event'; invitation: GroupInvitation; meId: string }
  /** I accepted or declined an invitation. */
  | { type: 'invitation/answered'; invitationId: string }
  // ---- toasts
  | { type: 'toast/shown'; toast: Toast }
  | { type: 'toast/expired'; id: number }
  // ---- operators' notices
  | { type: 'notice/received'; notice: SystemNotice }
  | { type: 'notice/dismissed'; id: string };

