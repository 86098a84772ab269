import type { Channel } from '@e2gate/contracts';
import type { UrlSigner } from '../auth/url-signer.js';

/**
 * Absolute URLs written into playlists, guides and lineups. Logo and guide URLs are always signed (scope read:
 * whoever fetched the document may read); stream URLs only when the caller may stream, so a read-only token never
 * turns into stream access by way of a playlist.
 */
export class LinkBuilder {
  constructor(
    private readonly baseUrl: string,
    private readonly signer: UrlSigner,
    private readonly exp: number | null,
    private readonly signStreams: boolean,
  ) {}

  stream(channel: Channel): string {
    const path = `/stream/${encodeURIComponent(channel.id)}`;
    return this.signStreams ? this.signed('stream', path) : `${this.baseUrl}${path}`;
  }

  logo(channel: Channel): string | null {
    if (!channel.picon) return null;
    return this.signed('read', `/picons/${encodeURIComponent(channel.picon)}.png`);
  }

  guide(): string {
    return this.signed('read', '/xmltv.xml');
  }

  private signed(scope: 'read' | 'stream', path: string): string {
    return `${this.baseUrl}${path}?${this.signer.query(scope, path, this.exp)}`;
  }
}
