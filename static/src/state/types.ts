import type { ClientState } from '@parley/client';
import type { FriendRequest, NotifyMode, UserSettings, FriendView, Group, GroupInvitation, GroupMemberView, Message, NewMessageTarget, SystemNotice, User } from '@parley/protocol';

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
  /** An unread message mentions me (or @all): the "@" marker. */
  mentioned: boolean;
  /** My notification settings of it: which messages notify, muted until (epoch ms), pinned since (pinned list first). */
  notify: NotifyMode;
  mutedUntil: number | null;
  pinnedAt: number | null;
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
  /** The messages held stop short of the newest (a window around a message opened from search or a quote). */
  hasNewer?: boolean;
  /**
   * The lowest and highest log seq the pages fetched so far covered, change
   * entries included: where the next page starts (a page of change entries
   * alone adds no message, but must not be fetched again).
   */
  coveredFrom?: number;
  coveredTo?: number;
  /**
   * Per message id, the highest log seq whose effect its copy here already
   * shows: a change entry at or below it is old news and is not applied again.
   */
  changeSeq?: ReadonlyMap<string, number>;
}

export interface Outgoing {
  clientMsgId: string;
  conversationId: string;
  to: NewMessageTarget;
  text: string;
  /** The id of the message this one answers. */
  replyTo?: string;
  /** Mentioned user ids, or ['@all']. */
  mentions?: string[];
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

/** Who I am and where I am connected. */
export interface SessionState {
  me: User;
  connection: ConnectionState;
  nodeId?: string;
  /** The admin API let me in (asked once after sign-in): the profile dialog links to the ops console. */
  operator: boolean;
  /** My settings (privacy, notification previews, do-not-disturb), once loaded; kept current across devices. */
  settings?: UserSettings;
}

/** The conversation list, the messages held per conversation, and what the others are doing in them. */
export interface ConversationsState {
  conversations: Map<string, Conversation>;
  threads: Map<string, Thread>;
  /** Per conversation, how far each other member has read. */
  readBy: Map<string, Map<string, number>>;
  /** Per conversation, who is typing and until when. */
  typing: Map<string, Map<string, number>>;
  activeId?: string;
  /** A message to bring into view and highlight (a search result, a quote); `nonce` tells a new request from the last one. */
  focus?: MessageFocus;
}

export interface MessageFocus {
  conversationId: string;
  messageId: string;
  nonce: number;
}

/** A file on its way: sent to the ticket URL (progress 0..1), then as a message. */
export interface Upload {
  id: string;
  conversationId: string;
  name: string;
  size: number;
  /** An image: a local preview (object URL) while it uploads. */
  previewUrl?: string;
  progress: number;
  status: 'uploading' | 'sending' | 'failed';
  error?: string;
}

export interface UploadsState {
  uploads: Upload[];
}

/** The message search panel: one query, its results newest first, and whether more can be fetched. */
export interface MessageSearch {
  q: string;
  results: Message[];
  /** The `before` cursor for the next page; undefined when there is no more. */
  next?: string;
  loading: boolean;
  error?: string;
}

export interface SearchState {
  search: MessageSearch;
}

/** My messages not yet acked by the server, in the order they were written. */
export interface OutboxState {
  outgoing: Outgoing[];
}

/** Friends, requests and blocks; the people I know of and their presence. */
export interface SocialState {
  social: Social;
  users: Map<string, User>;
  online: Map<string, boolean>;
  lastSeenAt: Map<string, number | null>;
}

export interface GroupsState {
  groups: Map<string, GroupDetails>;
}

/** Group invitations waiting for my answer, newest first. */
export interface InvitationsState {
  invitations: GroupInvitation[];
}

export interface ToastsState {
  toasts: Toast[];
}

/** Operators' notices to everyone online, oldest first, until dismissed. */
export interface NoticesState {
  notices: SystemNotice[];
}

/** The whole web client's state: one slice per reducer, flat so views read `state.x`. */
export type State = SessionState &
  ConversationsState &
  OutboxState &
  UploadsState &
  SearchState &
  SocialState &
  GroupsState &
  InvitationsState &
  ToastsState &
  NoticesState;

export const EMPTY_SEARCH: MessageSearch = { q: '', results: [], loading: false };

/** The state right after sign-in, before anything is loaded. */
export function initialState(me: User): State {
  return {
    me,
    connection: 'idle',
    operator: false,
    settings: undefined,
    conversations: new Map(),
    threads: new Map(),
    outgoing: [],
    uploads: [],
    search: EMPTY_SEARCH,
    readBy: new Map(),
    typing: new Map(),
    online: new Map(),
    lastSeenAt: new Map(),
    users: new Map([[me.id, me]]),
    groups: new Map(),
    invitations: [],
    social: { friends: [], incoming: [], outgoing: [], blocked: [], loaded: false },
    toasts: [],
    notices: [],
  };
}
