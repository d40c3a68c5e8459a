import type { ParleyClient } from '@parley/client';
import type { CommandInput, CommandName, CommandResults, GroupInvitation, User } from '@parley/protocol';
import { describeInviteOutcome } from './invite-outcome';
import type { Action } from './state/actions';
import { groupConversationId } from './state/groups';
import type { GroupDetails, Toast } from './state/types';

/** Public groups per search page. */
export const GROUP_SEARCH_PAGE = 20;

/** What the group commands need of the chat store they belong to. */
export interface GroupHost {
  readonly client: ParleyClient;
  run<K extends CommandName>(name: K, payload: CommandInput<K>, quiet?: boolean): Promise<CommandResults[K] | undefined>;
  dispatch(action: Action): void;
  toast(text: string, tone?: Toast['tone']): void;
  refreshConversations(): Promise<void>;
  scheduleRefresh(): void;
  open(conversationId: string): Promise<void>;
  meId(): string;
  userName(userId: string): string;
  nameAmong(users: readonly User[]): (userId: string) => string;
}

/** Groups: creating, finding, joining, inviting, administering, and the invitations addressed to me. */
export class GroupActions {
  constructor(private readonly host: GroupHost) {}

  /** Creates a group with the people picked: friends join at once, the others are invited and join when they accept (a toast says who). */
  async createGroup(name: string, members: readonly User[]): Promise<string | undefined> {
    const result = await this.host.run('group:create', { name, memberIds: members.map((u) => u.id) });
    if (!result) return undefined;
    this.host.dispatch({ type: 'group/created', group: result.group, at: Date.now() });
    const invitations = result.invitations ?? [];
    if (invitations.length > 0) {
      const invited = new Set(invitations.map((i) => i.inviteeId));
      const added = members.filter((u) => !invited.has(u.id)).map((u) => u.id);
      this.host.toast(describeInviteOutcome({ added, requests: [], invitations }, this.host.nameAmong(members)));
    }
    await this.host.refreshConversations();
    const id = groupConversationId(result.group.id);
    await this.host.open(id);
    return id;
  }

  /** One page of public groups whose name contains q; throws, so the search can show its error in place. */
  searchGroups(q: string, offset = 0): Promise<CommandResults['group:search']> {
    return this.host.client.command('group:search', { q, limit: GROUP_SEARCH_PAGE, offset });
  }

  /** Joins a public group (then it is in the conversation list) or files a request an admin must approve; throws on refusal. */
  async joinGroup(groupId: string): Promise<CommandResults['group:join']> {
    const result = await this.host.client.command('group:join', { groupId });
    if ('group' in result) await this.host.refreshConversations();
    return result;
  }

  /** Asks people into a group; resolves with what became of them, said for a person ("Carol will join when they accept"), or undefined on failure. */
  async inviteToGroup(groupId: string, users: readonly User[]): Promise<string | undefined> {
    const result = await this.host.run('group:invite', { groupId, userIds: users.map((u) => u.id) });
    if (!result) return undefined;
    await this.loadGroup(groupId);
    this.host.scheduleRefresh();
    return describeInviteOutcome({ added: result.added, requests: result.requests, invitations: result.invitations ?? [] }, this.host.nameAmong(users));
  }

  async loadGroup(groupId: string): Promise<GroupDetails | undefined> {
    const details = await this.host.run('group:info', { groupId }, true);
    if (details) this.host.dispatch({ type: 'group/loaded', groupId, details });
    return details;
  }

  /** A group admin command, then the details reloaded. */
  async groupAction<K extends CommandName>(name: K, payload: CommandInput<K> & { groupId: string }, done?: string): Promise<boolean> {
    const result = await this.host.run(name, payload);
    if (result && done) this.host.toast(done);
    if (name === 'group:leave' || name === 'group:dissolve') this.host.dispatch({ type: 'group/left', groupId: payload.groupId });
    else if (result) await this.loadGroup(payload.groupId);
    this.host.scheduleRefresh();
    return result !== undefined;
  }

  async refreshInvitations(): Promise<void> {
    const result = await this.host.run('group:invitations', {}, true);
    if (result) this.host.dispatch({ type: 'invitations/loaded', invitations: result.invitations });
  }

  /** Accepts (the group then shows in the chat list) or declines an invitation; false when the server refused. */
  async respondToInvitation(invitation: GroupInvitation, accept: boolean): Promise<boolean> {
    const result = await this.host.run('group:invitation:respond', { invitationId: invitation.id, accept });
    // Answered elsewhere or withdrawn: the list is reloaded either way.
    this.host.dispatch({ type: 'invitation/answered', invitationId: invitation.id });
    if (!result) {
      await this.refreshInvitations();
      return false;
    }
    if (result.group) {
      this.host.dispatch({ type: 'group/created', group: result.group, at: Date.now() });
      this.host.toast(`You joined ${result.group.name}`);
      await this.host.refreshConversations();
    } else {
      this.host.toast(`Invitation to ${invitation.group.name} declined`);
    }
    return true;
  }

  /** An invitation to me arrived, or one of mine was answered. */
  onInvitation(invitation: GroupInvitation): void {
    this.host.dispatch({ type: 'invitation/event', invitation, meId: this.host.meId() });
    if (invitation.inviteeId === this.host.meId()) {
      if (invitation.status === 'pending') this.host.toast(`${invitation.inviter.displayName} invited you to ${invitation.group.name}`);
      return;
    }
    // An invitation of mine was answered.
    const who = this.host.userName(invitation.inviteeId);
    if (invitation.status === 'accepted') this.host.toast(`${who} accepted your invitation to ${invitation.group.name}`);
    if (invitation.status === 'rejected') this.host.toast(`${who} declined your invitation to ${invitation.group.name}`);
  }
}
