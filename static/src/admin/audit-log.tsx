import type { AdminAction } from '@parley/protocol';
import type { AuditView } from './console-state';
import type { ConsoleStore } from './console-store';

const ACTION_LABEL: Record<AdminAction, string> = {
  'node:drain': 'Drained a node',
  'user:disconnect': 'Disconnected a user',
  'user:suspend': 'Suspended a user',
  'user:unsuspend': 'Lifted a suspension',
  'notice:post': 'Posted a notice',
};

/** Every admin action, newest first, a page at a time. */
export function AuditLog({ store, audit }: { store: ConsoleStore; audit: AuditView }) {
  return (
    <section class="ops-card" aria-labelledby="ops-audit-title" data-testid="audit-log">
      <div class="row between">
        <h2 id="ops-audit-title">Audit log</h2>
        <button type="button" class="small" disabled={audit.loading} onClick={() => void store.loadAudit(false)}>
          Refresh
        </button>
      </div>
      {audit.error && (
        <p class="error" role="alert">
          {audit.error}
        </p>
      )}
      <div class="ops-scroll">
        <table class="ops-table ops-table-audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Operator</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Detail</th>
              <th scope="col">Gateway</th>
            </tr>
          </thead>
          <tbody>
            {audit.entries.length === 0 && !audit.loading && (
              <tr>
                <td colSpan={6} class="muted">
                  No admin action yet.
                </td>
              </tr>
            )}
            {audit.entries.map((e) => (
              <tr key={e.id} data-testid="audit-entry" data-action={e.action}>
                <td class="ops-nowrap">{new Date(e.at).toLocaleString()}</td>
                <td>@{e.actorUsername}</td>
                <td class="ops-nowrap">{ACTION_LABEL[e.action]}</td>
                <td class="ops-mono">{e.target}</td>
                <td class="ops-detail">{e.detail}</td>
                <td>{e.gatewayId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {audit.next && (
        <div class="row center">
          <button type="button" disabled={audit.loading} onClick={() => void store.loadAudit(true)} data-testid="audit-older">
            {audit.loading ? 'Loading…' : 'Older entries'}
          </button>
        </div>
      )}
    </section>
  );
}
