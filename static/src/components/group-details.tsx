import { useEffect, useState } from 'preact/hooks';
import type { GroupJoinRequest, GroupMemberView, User } from '@parley/protocol';
import { t } from '../i18n';
import type { MessageKey } from '../i18n/en';
import type { ChatStore, State } from '../store';
import { Avatar } from './avatar';
import { Modal } from './modal';
import { UserPicker } from './user-picker';

interface Props {
  store: ChatStore;
  state: State;
  groupId: string;
  onClose: () => void;
}

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 } as const;

/** The group's on/off settings an admin flips: the keys of the button labels and of what the toast says after. */
const SWITCHES: { key: 'muteAll' | 'isPublic' | 'joinApproval'; turnOn: MessageKey; turnOff: MessageKey; onDone: MessageKey; offDone: MessageKey }[] = [
  { key: 'muteAll', turnOn: 'groupDetails.muteAllOn', turnOff: 'groupDetails.muteAllOff', onDone: 'groupDetails.muteAllOnDone', offDone: 'groupDetails.muteAllOffDone' },
  { key: 'isPublic', turnOn: 'groupDetails.publicOn', turnOff: 'groupDetails.publicOff', onDone: 'groupDetails.publicOnDone', offDone: 'groupDetails.publicOffDone' },
  { key: 'joinApproval', turnOn: 'groupDetails.approvalOn', turnOff: 'groupDetails.approvalOff', onDone: 'groupDetails.approvalOnDone', offDone: 'groupDetails.approvalOffDone' },
];
const HOUR = 3_600_000;

/** Members with roles and presence, invitations, and what admins and the owner may do. */
export function GroupDetails({ store, state, groupId, onClose }: Props) {
  const details = state.groups.get(groupId);
  const [inviting, setInviting] = useState(false);
  const [invitees, setInvitees] = useState(new Map<string, User>());
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const [requests, setRequests] = useState<GroupJoinRequest[]>([]);

  const me = details?.members.find((m) => m.user.id === state.me.id);
  const isOwner = me?.role === 'owner';
  const isAdmin = isOwner || me?.role === 'admin';

  useEffect(() => {
    void store.groups.loadGroup(groupId);
  }, [groupId, store]);

  useEffect(() => {
    if (!isAdmin || !details?.group.joinApproval) return;
    void store.run('group:requests', { groupId }, true).then((r) => setRequests(r?.requests.filter((q) => q.status === 'pending') ?? []));
  }, [isAdmin, details?.group.joinApproval, groupId, store]);

  if (!details) {
    return (
      <Modal title={t('groupDetails.loadingTitle')} onClose={onClose} side>
        <p class="muted pad">{t('groupDetails.loading')}</p>
      </Modal>
    );
  }
  const { group, members } = details;
  const sorted = [...members].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || Number(b.online) - Number(a.online) || a.user.displayName.localeCompare(b.user.displayName));
  const act = (name: Parameters<ChatStore['groups']['groupAction']>[0], payload: Parameters<ChatStore['groups']['groupAction']>[1], done?: string) =>
    void store.groups.groupAction(name, payload, done);

  const memberActions = (m: GroupMemberView) => {
    if (!isAdmin || m.user.id === state.me.id || m.role === 'owner' || (m.role === 'admin' && !isOwner)) return null;
    const muted = m.mutedUntil !== undefined && m.mutedUntil > Date.now();
    return (
      <details class="menu">
        <summary aria-label={t('groupDetails.actionsFor', { name: m.user.displayName })}>⋯</summary>
        <div class="menu-items">
          {isOwner && (
            <button type="button" onClick={() => act('group:setRole', { groupId, userId: m.user.id, role: m.role === 'admin' ? 'member' : 'admin' }, t('groupDetails.roleChanged'))}>
              {m.role === 'admin' ? t('groupDetails.removeAdmin') : t('groupDetails.makeAdmin')}
            </button>
          )}
          <button type="button" onClick={() => act('group:mute', { groupId, userId: m.user.id, untilMs: muted ? 0 : Date.now() + HOUR }, muted ? t('groupDetails.unmuted') : t('groupDetails.mutedHour'))}>
            {muted ? t('groupDetails.unmute') : t('groupDetails.muteHour')}
          </button>
          {isOwner && (
            <button
              type="button"
              onClick={() =>
                confirm(t('groupDetails.transferConfirm', { name: m.user.displayName, group: group.name })) &&
                act('group:transfer', { groupId, userId: m.user.id }, t('groupDetails.transferred'))
              }
            >
              {t('groupDetails.transfer')}
            </button>
          )}
          <button
            type="button"
            class="danger"
            onClick={() => confirm(t('groupDetails.kickConfirm', { name: m.user.displayName, group: group.name })) && act('group:kick', { groupId, userId: m.user.id }, t('groupDetails.kicked'))}
          >
            {t('groupDetails.kick')}
          </button>
        </div>
      </details>
    );
  };

  const saveEdit = async (e: Event) => {
    e.preventDefault();
    const ok = await store.groups.groupAction('group:update', { groupId, name: name.trim() || undefined, announcement }, t('groupDetails.updated'));
    if (ok) setEditing(false);
  };

  const invite = async () => {
    const outcome = await store.groups.inviteToGroup(groupId, [...invitees.values()]);
    if (outcome) {
      store.toast(outcome);
      setInviting(false);
      setInvitees(new Map());
    }
  };

  return (
    <Modal title={t('groupDetails.title')} onClose={onClose} side testId="group-details">
      <div class="group-hero">
        <Avatar id={`g:${group.id}`} name={group.name} size="lg" group />
        <h3>{group.name}</h3>
        <p class="muted">
          {t('groupDetails.summary', { count: members.length, online: members.filter((m) => m.online).length })}
          {group.isPublic ? ` · ${t('groupDetails.public')}` : ''}
          {group.muteAll ? ` · ${t('groupDetails.onlyAdminsPost')}` : ''}
        </p>
        {group.announcement && <p class="announcement">📌 {group.announcement}</p>}
      </div>

      {editing ? (
        <form class="stack" onSubmit={(e) => void saveEdit(e)}>
          <label>
            {t('groupDetails.name')}
            <input value={name} maxLength={64} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            {t('groupDetails.announcement')}
            <textarea rows={3} maxLength={2000} value={announcement} onInput={(e) => setAnnouncement(e.currentTarget.value)} />
          </label>
          <div class="row end">
            <button type="button" onClick={() => setEditing(false)}>
              {t('groupDetails.cancel')}
            </button>
            <button type="submit" class="primary">
              {t('groupDetails.save')}
            </button>
          </div>
        </form>
      ) : (
        <div class="row wrap">
          <button type="button" onClick={() => setInviting(!inviting)} aria-expanded={inviting}>
            {t('groupDetails.inviteOpen')}
          </button>
          {isAdmin && (
            <button
              type="button"
              onClick={() => {
                setName(group.name);
                setAnnouncement(group.announcement ?? '');
                setEditing(true);
              }}
            >
              {t('groupDetails.edit')}
            </button>
          )}
          {isAdmin &&
            SWITCHES.map((sw) => {
              const on = group[sw.key];
              return (
                <button key={sw.key} type="button" onClick={() => act('group:update', { groupId, [sw.key]: !on }, t(on ? sw.offDone : sw.onDone))}>
                  {t(on ? sw.turnOff : sw.turnOn)}
                </button>
              );
            })}
        </div>
      )}

      {inviting && (
        <div class="stack invite">
          <UserPicker store={store} state={state} selected={invitees} onChange={setInvitees} exclude={new Set(members.map((m) => m.user.id))} />
          <div class="row end">
            <button type="button" class="primary" disabled={invitees.size === 0} onClick={() => void invite()}>
              {invitees.size > 0 ? t('groupDetails.inviteN', { n: invitees.size }) : t('groupDetails.invite')}
            </button>
          </div>
        </div>
      )}

      {requests.length > 0 && (
        <section>
          <h3>{t('groupDetails.waiting')}</h3>
          <ul class="people">
            {requests.map((r) => (
              <li key={r.id} class="person">
                <Avatar id={r.user.id} name={r.user.displayName} url={r.user.avatarUrl} size="sm" />
                <span class="person-body">
                  <span class="person-name">{r.user.displayName}</span>
                  <span class="muted">{r.inviterId ? t('groupDetails.invitedBy', { name: store.userName(r.inviterId) }) : t('groupDetails.askedToJoin')}</span>
                </span>
                <span class="actions">
                  {[true, false].map((accept) => (
                    <button
                      key={String(accept)}
                      type="button"
                      class={accept ? 'primary' : ''}
                      onClick={() =>
                        void store.run('group:respond', { requestId: r.id, accept }).then((ok) => {
                          if (ok) setRequests(requests.filter((q) => q.id !== r.id));
                          void store.groups.loadGroup(groupId);
                        })
                      }
                    >
                      {accept ? t('groupDetails.approve') : t('groupDetails.decline')}
                    </button>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section>
        <h3>{t('groupDetails.members')}</h3>
        <ul class="people" aria-label={t('groupDetails.members')}>
          {sorted.map((m) => (
            <li key={m.user.id} class="person" data-testid="group-member" data-username={m.user.username} data-role={m.role} data-online={String(m.online)}>
              <Avatar id={m.user.id} name={m.user.displayName} url={m.user.avatarUrl} size="sm" online={m.online} />
              <span class="person-body">
                <span class="person-name">
                  {m.user.displayName}
                  {m.user.id === state.me.id && <span class="muted"> {t('groupDetails.you')}</span>}
                </span>
                <span class="muted">
                  {m.online ? t('groupDetails.online') : t('groupDetails.offline')}
                  {m.mutedUntil && m.mutedUntil > Date.now() ? ` · ${t('groupDetails.muted')}` : ''}
                </span>
              </span>
              {m.role !== 'member' && <span class={`role role-${m.role}`}>{t(m.role === 'owner' ? 'groupDetails.roleOwner' : 'groupDetails.roleAdmin')}</span>}
              {memberActions(m)}
            </li>
          ))}
        </ul>
      </section>

      <div class="stack danger-zone">
        <button
          type="button"
          class="danger"
          onClick={() => confirm(t('groupDetails.leaveConfirm', { group: group.name })) && act('group:leave', { groupId }, t('groupDetails.left', { group: group.name }))}
        >
          {t('groupDetails.leave')}
        </button>
        {isOwner && (
          <button
            type="button"
            class="danger"
            onClick={() =>
              confirm(t('groupDetails.dissolveConfirm', { group: group.name })) && act('group:dissolve', { groupId }, t('groupDetails.dissolved', { group: group.name }))
            }
          >
            {t('groupDetails.dissolve')}
          </button>
        )}
      </div>
    </Modal>
  );
}
