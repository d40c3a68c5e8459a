import { ParleyError, userRoom, type CommandPayload, type CommandResults, type GroupInvitation } from '@parley/protocol';
import {
  StoreError,
  type Clock,
  type GroupInvitationRecord,
  type GroupRecord,
  type IdGenerator,
  type Notifier,
  type StoreAggregates,
} from '../ports';
import { loadGroup } from './group-access';
import type { GroupEffects } from './group-effects';
import { toGroupView } from './group-view';
import { toInvitationViews } from './invitation-view';

export interface GroupInvitationOptions {
  /** Largest group allowed, owner included (an accepted invitation respects it). */
  maxMembers: number;
  /** Live pending invitations one user may hold; more are not made until they answer some. @default 100 */
  maxPendingInvitations: number;
  /** Of those, from one inviter across groups, so one stranger cannot fill the list alone. @default 5 */
  maxPendingInvitationsPerInviter: number;
}

export interface GroupInvitationDeps {
  store: StoreAggregates;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * Invitations into a group that wait for the invitee's consent: made by
 * GroupService when the invitee is not a friend of the inviter (or asks for
 * every invitation), listed and answered by the invitee alone. Each new
 * invitation is pushed to the invitee, each answer to the inviter and the
 * invitee's other sessions (`group:invitation`).
 */
export class GroupInvitations {
  constructor(
    private readonly deps: GroupInvitationDeps,
    private readonly effects: GroupEffects,
    private readonly options: GroupInvitationOptions,
  ) {}

  /**
   * Asks each invitee into `group`: their live pending invitation (a new one,
   * or the one already waiting). An invitee holding too many pending
   * invitations is left out, like one who ignores them; so is one whose
   * invitation fails otherwise: the caller has already committed the group
   * or its new members, and failing the whole command would invite a retry
   * that makes them again. The answer lists who was asked.
   */
  async ask(group: GroupRecord, inviterId: string, inviteeIds: readonly string[]): Promise<GroupInvitation[]> {
    const { store, ids, clock, notifier } = this.deps;
    const limits = { perInvitee: this.options.maxPendingInvitations, perInviter: this.options.maxPendingInvitationsPerInviter };
    const made = [];
    for (const inviteeId of inviteeIds) {
      try {
        made.push(await store.createGroupInvitation({ id: ids.next(), groupId: group.id, inviterId, inviteeId, createdAt: clock.now() }, limits));
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
      }
    }
    const views = await toInvitationViews(store, made.map((m) => m.invitation), [group]);
    const created = new Set(made.filter((m) => m.created).map((m) => m.invitation.id));
    for (const invitation of views) {
      if (created.has(invitation.id)) notifier.publish([userRoom(invitation.inviteeId)], 'group:invitation', { invitation });
    }
    return views;
  }

  /** The caller's live pending invitations, newest first. */
  async pending(userId: string): Promise<GroupInvitation[]> {
    const { store } = this.deps;
    return toInvitationViews(store, await store.listPendingGroupInvitations(userId, this.options.maxPendingInvitations));
  }

  /**
   * Only the invitee answers (NOT_FOUND for anyone else, as for an unknown
   * invitation); an answered one is CONFLICT, and so is one withdrawn
   * because its inviter left the group or a block came between them.
   * Accepting joins as an invite-add does: room, `group:update`, system message.
   */
  async respond(userId: string, input: CommandPayload<'group:invitation:respond'>): Promise<CommandResults['group:invitation:respond']> {
    const { store, clock } = this.deps;
    const record = await store.getGroupInvitation(input.invitationId);
    if (!record || record.inviteeId !== userId) throw new ParleyError('NOT_FOUND', 'invitation not found');
    if (record.status !== 'pending') throw new StoreError('request-resolved', { status: record.status });
    if (!input.accept) return { invitation: await this.answered(await store.declineGroupInvitation(record.id, clock.now())) };
    const { invitation, joined } = await store.acceptGroupInvitation(record.id, clock.now(), this.options.maxMembers);
    if (invitation.status === 'cancelled') throw new ParleyError('CONFLICT', 'the invitation was withdrawn');
    const group = await loadGroup(store, invitation.groupId);
    // The inviter is the actor, as when they add a member directly ("Ann added Ben").
    if (joined) await this.effects.joined(group, invitation.inviterId, [invitation.inviteeId]);
    return { invitation: await this.answered(invitation, group), group: toGroupView(group) };
  }

  private async answered(record: GroupInvitationRecord, group?: GroupRecord): Promise<GroupInvitation> {
    const [invitation] = await toInvitationViews(this.deps.store, [record], group ? [group] : []);
    if (!invitation) throw new ParleyError('NOT_FOUND', 'invitation not found');
    this.deps.notifier.publish([userRoom(record.inviterId), userRoom(record.inviteeId)], 'group:invitation', { invitation });
    return invitation;
  }
}
