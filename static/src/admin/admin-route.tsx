import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** The ops console's address; the gateway serves the page for it like any path outside /api. */
export const ADMIN_PATH = '/admin';

export function isAdminPath(pathname: string): boolean {
  return pathname === ADMIN_PATH || pathname.startsWith(`${ADMIN_PATH}/`);
}

type AdminAppComponent = ComponentType<{ gatewayUrl: string }>;

/**
 * Loads the console's own bundle (with its chart library) only when /admin
 * is opened: the chat page never downloads it.
 */
export function AdminRoute({ gatewayUrl }: { gatewayUrl: string }) {
  const [loaded, setLoaded] = useState<{ App: AdminAppComponent } | { error: string } | undefined>();
  useEffect(() => {
    import('./admin-app').then(
      (m) => setLoaded({ App: m.AdminApp }),
      () => setLoaded({ error: 'The ops console could not be loaded. Reload the page to try again.' }),
    );
  }, []);
  if (loaded && 'App' in loaded) return <loaded.App gatewayUrl={gatewayUrl} />;
  return (
    <div class="auth" data-testid="restoring">
      <p class={loaded ? 'error' : 'muted'} role={loaded ? 'alert' : 'status'}>
        {loaded ? loaded.error : 'Opening the ops console…'}
      </p>
    </div>
  );
}
