import { locale, t } from '../i18n';
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
    <Modal title={t('connDetails.title')} onClose={onClose} testId="connection-details">
      <dl class="details">
        <dt>{t('connDetails.status')}</dt>
        <dd data-testid="connection-state">{connectionLabel(state.connection)}</dd>
        <dt>{t('connDetails.node')}</dt>
        <dd data-testid="node-id">{state.nodeId ?? '—'}</dd>
        <dt>{t('connDetails.gateway')}</dt>
        <dd>{gatewayUrl}</dd>
        <dt>{t('connDetails.signedInAs')}</dt>
        <dd>
          {state.me.displayName} <span class="muted">@{state.me.username}</span>
        </dd>
        <dt>{t('connDetails.tokenUntil')}</dt>
        <dd>{t('connDetails.renewed', { when: new Date(expiresAt).toLocaleString(locale()) })}</dd>
      </dl>
      <p class="muted">{t('connDetails.explain')}</p>
    </Modal>
  );
}
