import { LANGUAGES, t, type Language } from '../lib/i18n.js';
import { followLink } from '../lib/router.js';
import { can } from '../lib/session.js';
import type { Me } from '../lib/types.js';

interface Props {
  me: Me;
  path: string;
  language: Language;
  onLanguage(language: Language): void;
  onSignOut(): void;
}

export function Header({ me, path, language, onLanguage, onSignOut }: Props) {
  const links = [
    { href: '/channels', label: t('nav.channels') },
    { href: '/guide', label: t('nav.guide') },
    { href: '/recordings', label: t('nav.recordings') },
    ...(can(me, 'admin') ? [{ href: '/status', label: t('nav.status') }] : []),
  ];
  return (
    <header class="top">
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <a class="brand" href="/channels" onClick={followLink}>
        e2gate
      </a>
      <nav aria-label={t('nav.label')}>
        {links.map((link) => (
          <a
            key={link.href}
            href={link.href}
            onClick={followLink}
            aria-current={
              path === link.href || (link.href === '/channels' && path.startsWith('/watch/'))
                ? 'page'
                : undefined
            }
          >
            {link.label}
          </a>
        ))}
      </nav>
      <div class="top-end">
        <label class="visually-hidden" for="language">
          {t('nav.language')}
        </label>
        <select
          id="language"
          value={language}
          onChange={(e) => onLanguage(e.currentTarget.value as Language)}
        >
          {Object.keys(LANGUAGES).map((code) => (
            <option key={code} value={code}>
              {code.toUpperCase()}
            </option>
          ))}
        </select>
        {me.kind === 'session' ? (
          <button
            type="button"
            class="quiet"
            onClick={onSignOut}
            title={t('nav.signedInAs', { name: me.name })}
          >
            {t('nav.signOut')}
          </button>
        ) : (
          <a class="button" href="/signin" onClick={followLink}>
            {t('nav.signIn')}
          </a>
        )}
      </div>
    </header>
  );
}
