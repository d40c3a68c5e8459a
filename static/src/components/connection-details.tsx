import { t } from '../i18n';
import type { State } from '../store';
import { Modal } from './modal';

interface Props {
  state: State;
  gatewayUrl: string;
  expiresAt: number;
  onClose: () => void;
}

/** The connection's state in words, in the page's language. */
export function connectionLabel(connection: State['connection']): string {
  return t(`conn.${connection}`);
}

/** What this tab is connected to, honestly. */
export function ConnectionDetails({ state, gatewayUrl, expiresAt, onClose }: Props) {
  return (
    <Modal title="Connection details" onClose={onClose} testId="connection-details">
      <dl class="details">
        <dt>Status</dt>
        <dd data-testid="connection-state">{connectionLabel(state.connection)}</dd>
        <dt>IM node</dt>
        <dd data-testid="node-id">{state.nodeId ?? '—'}</dd>
        <dt>Gateway</dt>
        <dd>{gatewayUrl}</dd>
        <dt>Signed in as</dt>
        <dd>
          {state.me.displayName} <span class="muted">@{state.me.username}</span>
        </dd>
        <dt>Access token valid until</dt>
        <dd>{new Date(expiresAt).toLocaleString()} (renewed automatically while you are signed in)</dd>
      </dl>
      <p class="muted">
        Messages are stored by the server before they show as sent. If the node goes away, Parley reconnects through the gateway to another node and
        catches up; nothing you typed is lost.
      </p>
    </Modal>
  );
}
