import { useEffect, useState } from 'preact/hooks';

/** History-API routing: the gateway answers every page path with the app, which picks the page here. */

const listeners = new Set<(path: string) => void>();

export function currentPath(): string {
  return location.pathname + location.search;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === currentPath()) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener(currentPath());
}

addEventListener('popstate', () => {
  for (const listener of listeners) listener(currentPath());
});

/** The current path and query; re-renders the caller when it changes. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    listeners.add(setPath);
    return () => void listeners.delete(setPath);
  }, []);
  return path;
}

/**
 * For `<a href>` of the app: a plain click navigates without reloading; a click with a modifier (new tab) or
 * another button is left to the browser.
 */
export function followLink(event: MouseEvent): void {
  const anchor = (event.currentTarget ?? event.target) as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (anchor.origin !== location.origin || anchor.target || anchor.hasAttribute('download')) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
