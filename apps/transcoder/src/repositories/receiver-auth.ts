/**
 * The Basic `authorization` header for a receiver URL: the URL's own credentials, else the configured ones. They
 * are removed from `url`, so they travel in the header only, never in a request line or a log.
 */
export function takeBasicAuth(
  url: URL,
  credentials: { user: string; password: string } | null,
): string | undefined {
  const pair =
    url.username !== ''
      ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
      : credentials
        ? `${credentials.user}:${credentials.password}`
        : undefined;
  url.username = '';
  url.password = '';
  return pair === undefined ? undefined : `Basic ${Buffer.from(pair).toString('base64')}`;
}
