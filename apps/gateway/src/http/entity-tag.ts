import { createHash, type Hash } from 'node:crypto';

/** base64url characters kept of the SHA-256: 162 bits. */
const TAG_LENGTH = 27;

/** Strong ETags of one representation: of its identity bytes, and of its gzip encoding. */
export interface EntityTags {
  etag: string;
  etagGzip: string;
}

/**
 * Strong ETags from a hash of the identity bytes, fed piece by piece as they are produced, so that a document
 * never has to exist whole to be tagged. The same bytes always get the same tags (replicas agree), other bytes
 * other tags. The gzip variant's tag is derived from the same hash: its bytes are a function of the identity bytes.
 */
export class EntityTagHasher {
  private readonly hash: Hash = createHash('sha256');

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  /** Ends the hash; call once. */
  tags(): EntityTags {
    const tag = this.hash.digest('base64url').slice(0, TAG_LENGTH);
    return { etag: `"${tag}"`, etagGzip: `"${tag}-gz"` };
  }
}

export function entityTagsOf(bytes: Uint8Array): EntityTags {
  const hasher = new EntityTagHasher();
  hasher.update(bytes);
  return hasher.tags();
}
