import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AuthResult } from '@parley/protocol';
import { describeAuthError } from './describe-error';
import { rememberForWorker, t } from './i18n';
import { useLanguage } from './i18n/use-language';
import { listenForOpenRequests } from './push/open-requests';
import { BrowserSession, forgetStoredSessions } from './session';
import { ChatStore } from './store';
import { useStore } from './use-store';
import { AuthScreen } from './components/auth-screen';
import { Avatar } from './components/avatar';
import { ChatView } from './components/chat-view';
import { connectionLabel, ConnectionDetails } from './components/connection-details';
import { ContactsPanel } from './components/contacts-panel';
import { ConversationList } from './components/conversation-list';
import { FindGroupsDialog } from './components/find-groups-dialog';
import { GroupDetails } from './components/group-details';
import { NewGroupDialog } from './components/new-group-dialog';
import { NoticeBanners } from './components/notice-banners';
import { NotificationSettings } from './components/notification-settings';
import { PushBanner } from './components/push-banner';
import { ProfileDialog } from './components/profile-dialog';
import { SearchPanel } from './components/search-panel';
import { unreadTowardTotal } from './state/muting';

const gatewayUrl = window.location.origin;

type Phase = { kind: 'restoring' } | { kind: 'signed-out'; notice?: string } | { kind: 'signed-in'; session: AuthResult };

/**
 * Restoring: the session cookie is asked for a session (a reload stays signed
 * in). Signed out: the auth screen, with why. Signed in: the messenger, until
 * the session ends.
 */
export function App() {
  const auth = useMemo(() => BrowserSession.forPage(gatewayUrl), []);
  const [phase, setPhase] = useState<Phase>({ kind: 'restoring' });
  // A language switch re-renders everything below (nothing is memoized), in the new language.
  const lang = useLanguage();
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    void rememberForWorker(lang);
  }, [lang]);

  useEffect(() => {
    // Tokens stay in memory now: one an earlier version left in storage goes.
    forgetStoredSessions([() => localStorage, () => sessionStorage]);
    auth.restore().then(
      (session) => setPhase(session ? { kind: 'signed-in', session } : { kind: 'signed-out' }),
      (err: unknown) => setPhase({ kind: 'signed-out', notice: describeAuthError(err) }),
    );
  }, [auth]);

  if (phase.kind === 'restoring') {
    return (
      <div class="auth" data-testid="restoring">
        <p class="muted" role="status">
          <span class="spinner" aria-hidden="true" /> {t('app.opening')}
        </p>
      </div>
    );
  }
  if (phase.kind === 'signed-out') {
    return <AuthScreen gatewayUrl={gatewayUrl} notice={phase.notice} onSignedIn={(session) => setPhase({ kind: 'signed-in', session })} />;
  }
  return (
    <Messenger key={phase.session.sessionId} session={phase.session} auth={auth} onSignOut={(notice) => setPhase({ kind: 'signed-out', notice })} />
  );
}

type Panel = 'chats' | 'contacts';
type Overlay = 'profile' | 'new-group' | 'find-groups' | 'connection' | 'group' | 'search' | 'notifications' | undefined;

function Messenger({ session, auth, onSignOut }: { session: AuthResult; auth: BrowserSession; onSignOut: (notice?: string) => void }) {
  const store = useMemo(() => new ChatStore(session, gatewayUrl, auth, onSignOut), [session]);
  const state = useStore(store);
  const [panel, setPanel] = useState<Panel>('chats');
  const [overlay, setOverlay] = useState<Overlay>();
  /** I sent something in this sign-in: the moment to offer notifications. */
  const [hasSent, setHasSent] = useState(false);
  useEffect(() => {
    if (state.outgoing.length > 0) setHasSent(true);
  }, [state.outgoing.length]);

  useEffect(() => {
    void store.start();
    const onVisible = () => store.visibilityChanged();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    // `?c=` in the address, or a notification clicked: that conversation opens.
    const stopOpenRequests = listenForOpenRequests((id) => {
      setPanel('chats');
      setOverlay(undefined);
      void store.openLinked(id);
    });
    return () => {
      stopOpenRequests();
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
      void store.stop();
    };
  }, [store]);

  // Muted chats (and mentions-only chats without a mention) stay out of the title and the badge, as they stay out of pushes.
  const unreadTotal = [...state.conversations.values()].reduce((n, c) => n + unreadTowardTotal(c), 0);
  useEffect(() => {
    document.title = unreadTotal > 0 ? `(${unreadTotal}) ${t('app.title')}` : t('app.title');
  }, [unreadTotal]);

  const active = state.activeId ? state.conversations.get(state.activeId) : undefined;
  const activeGroupId = active?.group?.id;
  useEffect(() => {
    if (overlay === 'group' && !activeGroupId) setOverlay(undefined);
    if (overlay === 'notifications' && !active) setOverlay(undefined);
  }, [overlay, activeGroupId, active]);

  const open = (id: string) => {
    setPanel('chats');
    void store.open(id);
  };
  const conn = state.connection;
  const requests = state.social.incoming.length + state.invitations.length;

  return (
    <div class={`app ${active ? 'has-chat' : 'no-chat'}`}>
      <NoticeBanners store={store} notices={state.notices} />
      <aside class="sidebar" aria-label={t('app.chatsAndContacts')}>
        <header class="me">
          <button type="button" class="me-button" onClick={() => setOverlay('profile')} aria-label={t('app.yourProfile')} data-testid="profile-button">
            <Avatar id={state.me.id} name={state.me.displayName} url={state.me.avatarUrl} />
            <span class="me-text">
              <span class="me-name" data-testid="me-name">
                {state.me.displayName}
              </span>
              <span class="me-sub">@{state.me.username}</span>
            </span>
          </button>
          <button
            type="button"
            class={`conn conn-${conn}`}
            onClick={() => setOverlay('connection')}
            data-testid="connection-button"
            data-state={conn}
            aria-label={t('app.connectionShow', { state: connectionLabel(conn) })}
            title={connectionLabel(conn)}
          >
            <i />
          </button>
          <button type="button" class="icon" aria-label={t('app.findGroups')} title={t('app.findGroups')} data-testid="find-groups-button" onClick={() => setOverlay('find-groups')}>
            {/* Drawn, not an emoji: phones and kiosks without an emoji font would show a box. */}
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round">
              <circle cx="10.5" cy="10.5" r="6.5" />
              <path d="M15.5 15.5 21 21" />
            </svg>
          </button>
          <button type="button" class="icon" aria-label={t('app.newGroup')} title={t('app.newGroup')} data-testid="new-group-button" onClick={() => setOverlay('new-group')}>
            ✚
          </button>
        </header>
        {conn !== 'connected' && (
          <div class={`banner banner-${conn}`} role="status" data-testid="connection-banner">
            {conn === 'reconnecting' || conn === 'draining' ? <span class="spinner" aria-hidden="true" /> : null}
            {connectionLabel(conn)}
          </div>
        )}
        <PushBanner store={store} hasSent={hasSent} />
        <nav class="tabs" role="tablist" aria-label={t('app.sections')}>
          <button role="tab" type="button" aria-selected={panel === 'chats'} onClick={() => setPanel('chats')} data-testid="tab-chats">
            {t('app.chats')} {unreadTotal > 0 && <span class="badge">{unreadTotal}</span>}
          </button>
          <button role="tab" type="button" aria-selected={panel === 'contacts'} onClick={() => setPanel('contacts')} data-testid="tab-contacts">
            {t('app.contacts')} {requests > 0 && <span class="badge" data-testid="requests-badge">{requests}</span>}
          </button>
        </nav>
        <div class="panel">
          {panel === 'chats' ? (
            <ConversationList store={store} state={state} onOpen={open} onFindPeople={() => setPanel('contacts')} onFindGroups={() => setOverlay('find-groups')} onSearchMessages={() => setOverlay('search')} />
          ) : (
            <ContactsPanel store={store} state={state} onMessage={(user) => (setPanel('chats'), void store.openDirect(user))} />
          )}
        </div>
      </aside>
      <main class="main">
        {active ? (
          <ChatView store={store} state={state} conversationId={active.id} onBack={() => void store.open(undefined)} onGroupDetails={() => setOverlay('group')} onNotificationSettings={() => setOverlay('notifications')} />
        ) : (
          <div class="empty welcome">
            <div class="empty-art" aria-hidden="true">💬</div>
            <h2>{t('app.welcome', { name: state.me.displayName })}</h2>
            <p class="muted">{t('app.welcomeHint')}</p>
          </div>
        )}
      </main>
      {overlay === 'profile' && <ProfileDialog store={store} state={state} onClose={() => setOverlay(undefined)} />}
      {overlay === 'new-group' && <NewGroupDialog store={store} state={state} onClose={() => setOverlay(undefined)} onCreated={() => setOverlay(undefined)} />}
      {overlay === 'find-groups' && (
        <FindGroupsDialog store={store} state={state} onClose={() => setOverlay(undefined)} onOpen={(id) => (setOverlay(undefined), open(id))} />
      )}
      {overlay === 'connection' && <ConnectionDetails state={state} gatewayUrl={gatewayUrl} expiresAt={store.client.session?.expiresAt ?? session.expiresAt} onClose={() => setOverlay(undefined)} />}
      {overlay === 'search' && (
        <SearchPanel
          store={store}
          state={state}
          onClose={() => setOverlay(undefined)}
          onOpen={(m) => {
            setOverlay(undefined);
            setPanel('chats');
            void store.finder.show(m.conversationId, m.id, m.seq);
          }}
        />
      )}
      {overlay === 'notifications' && active && <NotificationSettings store={store} conv={active} onClose={() => setOverlay(undefined)} />}
      {overlay === 'group' && activeGroupId && <GroupDetails store={store} state={state} groupId={activeGroupId} onClose={() => setOverlay(undefined)} />}
      <div class="toasts" aria-live="polite">
        {state.toasts.map((t) => (
          <div key={t.id} class={`toast toast-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'}>
            {t.text}
          </div>
        ))}
      </div>
    </div>
  );
}
