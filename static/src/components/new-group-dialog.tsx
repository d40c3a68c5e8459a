import { t } from '../i18n';
import { useState } from 'preact/hooks';
import type { User } from '@parley/protocol';
import type { ChatStore, State } from '../store';
import { Modal } from './modal';
import { UserPicker } from './user-picker';

interface Props {
  store: ChatStore;
  state: State;
  onClose: () => void;
  onCreated: (conversationId: string) => void;
}

export function NewGroupDialog({ store, state, onClose, onCreated }: Props) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState(new Map<string, User>());
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    const id = await store.groups.createGroup(name.trim(), [...members.values()]);
    setBusy(false);
    if (id) onCreated(id);
  };
  return (
    <Modal title={t('app.newGroup')} onClose={onClose} testId="new-group-dialog">
      <form onSubmit={(e) => void submit(e)} class="stack">
        <label>
          {t('groups.name')}
          <input name="groupName" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. Weekend hike" />
        </label>
        <p class="label">Members {members.size > 0 && <span class="muted">· {members.size} selected</span>}</p>
        <UserPicker store={store} state={state} selected={members} onChange={setMembers} />
        <p class="hint">{t('groups.createHint')}</p>
        <div class="row end">
          <button type="button" onClick={onClose}>
            {t('contacts.cancel')}
          </button>
          <button type="submit" class="primary" disabled={busy || !name.trim()}>
            {busy ? t('groups.creating') : t('groups.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
