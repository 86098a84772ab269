import { createHash } from 'node:crypto';

const HASH_LENGTH = 8;
const MAX_SLUG = 40;

/**
 * Stable channel id: a readable slug of the name plus a short hash of the reference identity, e.g.
 * `das-erste-hd-3f9a2c01`. The hash alone identifies the channel, so an id keeps resolving after a rename
 * (`hashOfChannelId` and `SnapshotLookup` in `@e2gate/contracts`).
 */
export function channelId(name: string, refIdentity: string): string {
  const slug = slugify(name) || 'channel';
  return `${slug}-${refHash(refIdentity)}`;
}

export function refHash(refIdentity: string): string {
  return refHashLong(refIdentity).slice(0, HASH_LENGTH);
}

export function refHashLong(refIdentity: string): string {
  return createHash('sha256').update(refIdentity).digest('hex');
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\+/g, ' plus ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/g, '');
}
