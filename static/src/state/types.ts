import type { ClientState } from '@parley/client';
import type { FriendRequest, FriendView, Group, GroupInvitation, GroupMemberView, Message, NewMessageTarget, SystemNotice, User } from '@parley/protocol';

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

/** Who I am and where I am connected. */
export interface SessionState {
  me: User;
  connection: ConnectionState;
  nodeId?: string;
  /** The admin API let me in (asked once after sign-in): the profile dialog links to the ops console. */
  operator: boolean;
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
export type State = SessionState & ConversationsState & OutboxState & SocialState & GroupsState & InvitationsState & ToastsState & NoticesState;

/** The state right after sign-in, before anything is loaded. */
export function initialState(me: User): State {
  return {
    me,
    connection: 'idle',
    operator: false,
    conversations: new Map(),
    threads: new Map(),
    outgoing: [],
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
