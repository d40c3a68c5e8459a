import { useEffect, useState } from 'preact/hooks';
import type { AuthResult } from '@parley/protocol';
import type { ConsoleState } from './console-state';
import type { ConsoleStore } from './console-store';
import { AuditLog } from './audit-log';
import { ConfirmAction } from './confirm-action';
import { FleetCharts } from './fleet-charts';
import { formatCount, formatRate } from './fleet-format';
import { FleetTable } from './fleet-table';
import { NoticeForm } from './notice-form';
import { UserAdmin } from './user-admin';

interface Props {
  store: ConsoleStore;
  session: AuthResult;
  onSignOut: () => void;
}

/** The console's state; re-renders on every change. */
function useConsole(store: ConsoleStore): ConsoleState {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    setState(store.state);
    return store.subscribe(() => setState(store.state));
  }, [store]);
  return state;
}

/** The whole console for an operator (the admin API said yes), or the refusal for anyone else. */
export function OpsConsole({ store, session, onSignOut }: Props) {
  const state = useConsole(store);
  const me = session.user;

  if (state.access === 'checking') {
    return (
      <div class="auth" data-testid="admin-checking">
        <p class="muted" role="status">
          <span class="spinner" aria-hidden="true" /> Asking the gateway whether @{me.username} is an operator…
        </p>
        {state.pollError && (
          <p class="error" role="alert">
            {state.pollError}
          </p>
        )}
      </div>
    );
  }
  if (state.access === 'refused') return <Refused username={me.username} onSignOut={onSignOut} />;

  const busy = state.confirming !== undefined || state.running !== undefined;
  return (
    <div class="ops" data-testid="ops-console">
      <header class="ops-header">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <h1>Parley ops console</h1>
        </div>
        <FleetSummary state={state} />
        <span class="ops-me">
          @{me.username} · <a href="/">Chat</a> ·{' '}
          <button type="button" class="link" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main class="ops-main">
        {state.pollError && (
          <p class="ops-banner ops-banner-warning" role="alert" data-testid="poll-error">
            {state.pollError} The figures below are from the last answer.
          </p>
        )}
        {state.running && (
          <p class="ops-banner" role="status">
            <span class="spinner" aria-hidden="true" /> Working…
          </p>
        )}
        {state.outcome && (
          <p class={`ops-banner ops-banner-${state.outcome.tone}`} role={state.outcome.tone === 'error' ? 'alert' : 'status'} data-testid="action-outcome" data-tone={state.outcome.tone}>
            {state.outcome.text}
          </p>
        )}
        <section class="ops-card" aria-labelledby="ops-fleet-title">
          <h2 id="ops-fleet-title">Fleet</h2>
          {state.fleet && <FleetTable fleet={state.fleet} history={state.history} onDrain={busy ? undefined : (nodeId) => store.ask({ kind: 'drain', nodeId })} />}
        </section>
        <section class="ops-card" aria-labelledby="ops-charts-title">
          <h2 id="ops-charts-title">Last five minutes</h2>
          <FleetCharts history={state.history} />
        </section>
        <div class="ops-columns">
          <UserAdmin store={store} search={state.search} busy={busy} />
          <NoticeForm key={state.noticesPosted} store={store} busy={busy} />
        </div>
        <AuditLog store={store} audit={state.audit} />
      </main>
      {state.confirming && <ConfirmAction key={JSON.stringify(state.confirming)} store={store} action={state.confirming} />}
    </div>
  );
}

/** Totals over the fleet: what an operator wants first. */
function FleetSummary({ state }: { state: ConsoleState }) {
  const nodes = state.fleet?.nodes ?? [];
  const ready = nodes.filter((n) => n.health === 'ready').length;
  const sockets = nodes.reduce((sum, n) => sum + n.sockets, 0);
  const users = nodes.reduce((sum, n) => sum + n.users, 0);
  const rates = nodes.map((n) => state.history.latest.get(n.nodeId)?.rates?.messagesAccepted);
  const msgs = rates.some((r) => r !== undefined) ? rates.reduce<number>((sum, r) => sum + (r ?? 0), 0) : undefined;
  const answeredBy = state.fleet?.gateways.find((g) => g.self)?.gatewayId;
  return (
    <dl class="ops-summary" data-testid="fleet-summary">
      <div class={ready < nodes.length ? 'ops-warn' : undefined}>
        <dt>Nodes ready</dt>
        <dd data-testid="summary-ready">
          {ready} / {nodes.length}
        </dd>
      </div>
      <div>
        <dt>Sockets</dt>
        <dd>{formatCount(sockets)}</dd>
      </div>
      <div>
        <dt>Users online</dt>
        <dd title="Summed over nodes: a user on two nodes counts twice">{formatCount(users)}</dd>
      </div>
      <div>
        <dt>Msgs/s</dt>
        <dd data-testid="summary-msgs">{formatRate(msgs)}</dd>
      </div>
      <div>
        <dt>Answered by</dt>
        <dd data-testid="summary-gateway" title="The gateway that answered the last poll (the load balancer may pick another each time); report ages are on its clock">
          {answeredBy ?? '—'}
        </dd>
      </div>
    </dl>
  );
}

function Refused({ username, onSignOut }: { username: string; onSignOut: () => void }) {
  return (
    <div class="auth">
      <div class="auth-card stack ops-refused" data-testid="admin-refused">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <h1>Not an operator</h1>
        </div>
        <p role="alert">
          You are signed in as <strong>@{username}</strong>, which is not an operator account. The ops console is only for the operators of this
          server (the users named in <code>PARLEY_ADMIN_USERS</code>, or given the admin role).
        </p>
        <div class="row between">
          <a href="/">Back to the chat</a>
          <button type="button" onClick={onSignOut}>
            Sign in as someone else
          </button>
        </div>
      </div>
    </div>
  );
}
