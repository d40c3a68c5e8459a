import { useEffect, useMemo, useState } from 'preact/hooks';
import { ParleyClient } from '@parley/client';
import type { AuthResult } from '@parley/protocol';
import { AuthScreen } from '../components/auth-screen';
import { describeAuthError, describeSessionEnd } from '../describe-error';
import { BrowserSession } from '../session';
import { AdminApi } from './admin-api';
import { ConsoleStore } from './console-store';
import { OpsConsole } from './ops-console';
import './admin.css';

const SIGN_IN_FIRST = 'Sign in with an operator account to open the ops console.';

type Phase = { kind: 'restoring' } | { kind: 'signed-out'; notice: string } | { kind: 'signed-in'; session: AuthResult };

/**
 * The page at /admin, loaded on its own (the chat page never loads it or
 * its chart library). It signs in like the chat (the session cookie, or the
 * form), then asks the admin API: only its answer decides whether the
 * console or a refusal shows.
 */
export function AdminApp({ gatewayUrl }: { gatewayUrl: string }) {
  const auth = useMemo(() => BrowserSession.forPage(gatewayUrl), [gatewayUrl]);
  const [phase, setPhase] = useState<Phase>({ kind: 'restoring' });

  useEffect(() => {
    document.title = 'Ops console · Parley';
    auth.restore().then(
      (session) => setPhase(session ? { kind: 'signed-in', session } : { kind: 'signed-out', notice: SIGN_IN_FIRST }),
      (err: unknown) => setPhase({ kind: 'signed-out', notice: describeAuthError(err) }),
    );
  }, [auth]);

  if (phase.kind === 'restoring') {
    return (
      <div class="auth" data-testid="restoring">
        <p class="muted" role="status">
          <span class="spinner" aria-hidden="true" /> Opening the ops console…
        </p>
      </div>
    );
  }
  if (phase.kind === 'signed-out') {
    return <AuthScreen gatewayUrl={gatewayUrl} notice={phase.notice} onSignedIn={(session) => setPhase({ kind: 'signed-in', session })} />;
  }
  return <SignedIn key={phase.session.sessionId} gatewayUrl={gatewayUrl} session={phase.session} auth={auth} onSignedOut={(notice) => setPhase({ kind: 'signed-out', notice })} />;
}

function SignedIn({ gatewayUrl, session, auth, onSignedOut }: { gatewayUrl: string; session: AuthResult; auth: BrowserSession; onSignedOut: (notice: string) => void }) {
  // A client that never connects a socket: it carries the token (renewed through the cookie when refused) for REST.
  const client = useMemo(() => {
    const c = new ParleyClient({ gatewayUrl, refresh: () => auth.renew() });
    c.useSession(session);
    return c;
  }, [session]);
  const store = useMemo(
    () => new ConsoleStore(new AdminApi((method, path, body) => client.rest(method, path, body)), { onSessionOver: () => onSignedOut(describeSessionEnd(undefined)) }),
    [client],
  );

  useEffect(() => {
    void store.start();
    return () => {
      store.stop();
      void client.close();
    };
  }, [store]);

  const signOut = async () => {
    store.stop();
    await client.logout().catch(() => undefined);
    onSignedOut(SIGN_IN_FIRST);
  };
  return <OpsConsole store={store} session={session} onSignOut={() => void signOut()} />;
}
