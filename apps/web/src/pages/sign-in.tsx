import { useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { ApiError } from '../lib/api.js';
import { describeError } from '../lib/errors.js';
import { LANGUAGES, t, type Language } from '../lib/i18n.js';
import { navigate } from '../lib/router.js';
import { signIn } from '../lib/session.js';
import type { Me } from '../lib/types.js';

interface Props {
  onSignedIn(me: Me): void;
  language: Language;
  onLanguage(language: Language): void;
}

/** The token is exchanged for an HttpOnly cookie: the page never keeps it (no storage, no URL). */
export function SignInPage({ onSignedIn, language, onLanguage }: Props) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await signIn(token.trim());
      setToken('');
      onSignedIn(me);
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/channels', {
        replace: true,
      });
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401 ? t('signIn.invalid') : describeError(caught),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form class="card" onSubmit={submit}>
        <h1>e2gate</h1>
        <p class="muted">{t('signIn.intro')}</p>
        <label for="token">{t('signIn.token')}</label>
        <input
          id="token"
          type="password"
          autocomplete="current-password"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" class="hint">
          {t('signIn.help')}
        </p>
        {error ? <Notice kind="error" message={error} /> : null}
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <label class="inline">
          <span>{t('nav.language')}</span>
          <select value={language} onChange={(e) => onLanguage(e.currentTarget.value as Language)}>
            {Object.keys(LANGUAGES).map((code) => (
              <option key={code} value={code}>
                {code === 'de' ? 'Deutsch' : 'English'}
              </option>
            ))}
          </select>
        </label>
      </form>
    </main>
  );
}
