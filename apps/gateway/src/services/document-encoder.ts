import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { EntityTagHasher, type EntityTags } from '../http/entity-tag.js';

/** A document's encodings: gzip always, identity only when kept. */
export interface EncodedDocument extends EntityTags {
  /** The identity bytes, or null when they were not kept. */
  body: Buffer | null;
  /** Byte length of the identity encoding (also when it was not kept). */
  bodyLength: number;
  gzip: Buffer;
}

/**
 * Encodes a document given as text pieces straight into a gzip stream, hashing (ETag) and counting the identity
 * bytes on the way: without `keepIdentity`, the identity document never exists whole — at any moment only one
 * piece and the compressed output are held. Waiting for the compressor to drain yields to the event loop between
 * pieces.
 */
export async function encodeDocument(
  pieces: Iterable<string> | AsyncIterable<string>,
  keepIdentity: boolean,
): Promise<EncodedDocument> {
  const gzip = createGzip();
  const compressed: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => compressed.push(chunk));
  const hasher = new EntityTagHasher();
  const identity: Buffer[] = [];
  let bodyLength = 0;
  try {
    for await (const piece of pieces) {
      const bytes = Buffer.from(piece, 'utf8');
      hasher.update(bytes);
      bodyLength += bytes.length;
      if (keepIdentity) identity.push(bytes);
      if (!gzip.write(bytes)) await once(gzip, 'drain');
    }
    gzip.end();
    await once(gzip, 'end');
  } catch (error) {
    gzip.destroy();
    throw error;
  }
  return {
    body: keepIdentity ? Buffer.concat(identity, bodyLength) : null,
    bodyLength,
    gzip: Buffer.concat(compressed),
    ...hasher.tags(),
  };
}
