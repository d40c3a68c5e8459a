import { useState } from 'preact/hooks';
import { Modal } from '../components/modal';
import { actionConsequence, actionTitle, type PendingAction } from './console-state';
import type { ConsoleStore } from './console-store';

/** The confirm step of every action: what it will do, in words, and (but for a notice) an optional reason for the audit log. */
export function ConfirmAction({ store, action }: { store: ConsoleStore; action: PendingAction }) {
  const [reason, setReason] = useState('');
  const title = actionTitle(action);
  const harmful = action.kind === 'drain' || action.kind === 'disconnect' || action.kind === 'suspend';
  return (
    <Modal title={`${title}?`} onClose={() => store.cancel()} testId="confirm-dialog">
      <form
        class="stack"
        aria-label="Confirm"
        onSubmit={(e) => {
          e.preventDefault();
          void store.confirm(reason);
        }}
      >
        <p class="ops-consequence">{actionConsequence(action)}</p>
        {action.kind !== 'notice' && (
          <label>
            Reason <span class="muted">(optional, kept in the audit log)</span>
            <input name="reason" maxLength={200} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
        )}
        <div class="row end">
          <button type="button" onClick={() => store.cancel()}>
            Cancel
          </button>
          <button type="submit" class={harmful ? 'primary ops-danger' : 'primary'} data-testid="confirm-button">
            {title}
          </button>
        </div>
      </form>
    </Modal>
  );
}
