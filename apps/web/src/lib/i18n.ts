import { en, type Messages } from './messages.en.js';
import { de } from './messages.de.js';

/** The app's languages: English first, German second (most users are German-speaking). */
export const LANGUAGES = { en, de } as const;
export type Language = keyof typeof LANGUAGES;
export type MessageKey = keyof Messages;

const STORAGE_KEY = 'e2gate.lang';
let current: Language = initialLanguage();

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'de') return stored;
  const preferred = globalThis.navigator?.languages ?? [];
  return preferred.some((tag) => tag.toLowerCase().startsWith('de')) ? 'de' : 'en';
}

export function language(): Language {
  return current;
}

export function setLanguage(next: Language): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The message `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = LANGUAGES[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/**
 * A rendition's language (the playlist's RFC 5646 tag: `de`, `en`, or a 3-letter code) as its name in the app's
 * language ("Deutsch", "English").
 */
export function languageName(code: string): string {
  if (!code) return t('player.audio.unknown');
  try {
    const names = new Intl.DisplayNames([current], { type: 'language' });
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

export function formatTime(epochSeconds: number): string {
  return new Intl.DateTimeFormat(current, { hour: '2-digit', minute: '2-digit' }).format(epochSeconds * 1000);
}

export function formatDate(value: string | number): string {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDay(epochSeconds: number): string {
  return new Intl.DateTimeFormat(current, { weekday: 'short', day: 'numeric', month: 'short' }).format(
    epochSeconds * 1000,
  );
}

export function formatDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`;
}
