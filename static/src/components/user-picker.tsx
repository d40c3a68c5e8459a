import { useEffect, useState } from 'preact/hooks';
import type { User } from '@parley/protocol';
import { t } from '../i18n';
import type { ChatStore, State } from '../store';
import { Avatar } from './avatar';

interface Props {
  store: ChatStore;
  state: State;
  selected: Map<string, User>;
  onChange: (selected: Map<string, User>) => void;
  exclude?: Set<string>;
}

/** Pick people: friends first, anyone else by search. */
export function UserPicker({ store, state, selected, onChange, exclude = new Set() }: Props) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<User[]>([]);
  useEffect(() => {
    const query = q.trim();
    if (!query) return setFound([]);
    let live = true;
    const timer = setTimeout(() => void store.searchUsers(query).then((u) => live && setFound(u)).catch(() => undefined), 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, store]);

  const toggle = (u: User) => {
    const next = new Map(selected);
    if (next.has(u.id)) next.delete(u.id);
    else next.set(u.id, u);
    onChange(next);
  };
  const friends = state.social.friends.map((f) => f.user);
  const seen = new Set<string>();
  const list = [...selected.values(), ...(q.trim() ? found : friends)].filter((u) => !exclude.has(u.id) && !seen.has(u.id) && seen.add(u.id));

  return (
    <div class="picker">
      <input type="search" placeholder={t('picker.placeholder')} aria-label={t('picker.label')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      {list.length === 0 ? (
        <p class="muted pad">{q.trim() ? t('picker.nobody') : t('picker.hint')}</p>
      ) : (
        <ul class="people pick">
          {list.map((u) => (
            <li key={u.id}>
              <label class="person" data-testid="pick-user" data-username={u.username}>
                <input type="checkbox" checked={selected.has(u.id)} onChange={() => toggle(u)} />
                <Avatar id={u.id} name={u.displayName} url={u.avatarUrl} size="sm" online={state.online.get(u.id)} />
                <span class="person-body">
                  <span class="person-name">{u.displayName}</span>
                  <span class="muted">@{u.username}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
