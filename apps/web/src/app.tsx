import { useCallback, useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from './lib/api.js';
import { language, setLanguage, t, type Language } from './lib/i18n.js';
import { navigate, usePath } from './lib/router.js';
import { can, loadMe, signOut } from './lib/session.js';
import type { Me } from './lib/types.js';
import { Header } from './components/header.js';
import { Notice } from './components/notice.js';
import { ChannelsPage } from './pages/channels.js';
import { GuidePage } from './pages/guide.js';
import { PlayerPage } from './pages/player.js';
import { RecordingsPage } from './pages/recordings.js';
import { SignInPage } from './pages/sign-in.js';
import { StatusPage } from './pages/status.js';

type Auth = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; me: Me | null };

export function App() {
  const path = usePath();
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [lang, setLang] = useState<Language>(language());

  const reload = useCallback(() => {
    loadMe().then(
      (me) => setAuth({ state: 'ready', me }),
      (error: Error) => setAuth({ state: 'failed', message: error.message }),
    );
  }, []);
  useEffect(reload, [reload]);
  useEffect(() => onUnauthorized(() => setAuth({ state: 'ready', me: null })), []);

  const pathname = path.split('?')[0] ?? '/';
  const me = auth.state === 'ready' ? auth.me : null;
  const signedOut = auth.state === 'ready' && me === null;
  useEffect(() => {
    if (signedOut && pathname !== '/signin') {
      navigate(`/signin?next=${encodeURIComponent(path)}`, { replace: true });
    } else if (!signedOut && (pathname === '/' || (pathname === '/signin' && me?.kind === 'session'))) {
      navigate('/channels', { replace: true });
    }
  }, [signedOut, pathname, path, me]);

  const changeLanguage = (next: Language) => {
    setLanguage(next);
    setLang(next);
  };
  // A fresh document after sign-out: nothing of the last user's data stays in memory, no request of theirs runs on.
  const leave = async () => {
    await signOut().catch(() => undefined);
    location.replace('/signin');
  };

  if (auth.state === 'loading') return <main class="page" aria-busy="true" />;
  if (auth.state === 'failed') {
    return (
      <main class="page">
        <Notice kind="error" message={t('app.unreachable', { detail: auth.message })} onRetry={reload} />
      </main>
    );
  }
  if (!me || pathname === '/signin') {
    return (
      <SignInPage
        key={lang}
        onSignedIn={(signedIn) => setAuth({ state: 'ready', me: signedIn })}
        language={lang}
        onLanguage={changeLanguage}
      />
    );
  }
  const watch = /^\/watch\/([a-z0-9][a-z0-9-]{0,80})$/.exec(pathname);
  return (
    <>
      <Header me={me} path={pathname} language={lang} onLanguage={changeLanguage} onSignOut={leave} />
      <main id="main" class="page" key={lang}>
        {watch ? (
          <PlayerPage channelId={watch[1] as string} me={me} />
        ) : pathname === '/guide' ? (
          <GuidePage me={me} />
        ) : pathname === '/recordings' ? (
          <RecordingsPage me={me} />
        ) : pathname === '/status' && can(me, 'admin') ? (
          <StatusPage />
        ) : (
          <ChannelsPage me={me} />
        )}
      </main>
    </>
  );
}
