import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { entityTagsOf } from '../http/entity-tag.js';
import { encodeDocument } from './document-encoder.js';

const pieces = [
  '<?xml version="1.0"?>\n<tv>\n',
  '  <title>Schöne Grüße — 日本</title>\n'.repeat(5000),
  '</tv>\n',
];
const whole = Buffer.from(pieces.join(''), 'utf8');

describe('encodeDocument', () => {
  it('gzips the pieces in order; length and ETags are those of the whole identity bytes', async () => {
    const encoded = await encodeDocument(pieces, false);
    expect(encoded.body).toBeNull();
    expect(gunzipSync(encoded.gzip).equals(whole)).toBe(true);
    expect(encoded.bodyLength).toBe(whole.length);
    expect(encoded.bodyLength).toBeGreaterThan(pieces.join('').length);
    expect({ etag: encoded.etag, etagGzip: encoded.etagGzip }).toEqual(entityTagsOf(whole));
  });

  it('keeps the identity bytes when asked to', async () => {
    const encoded = await encodeDocument(pieces, true);
    expect(encoded.body?.equals(whole)).toBe(true);
    expect(gunzipSync(encoded.gzip).equals(whole)).toBe(true);
  });

  it('tags the same bytes alike however they are cut, and other bytes otherwise', async () => {
    const recut = await encodeDocument([pieces.join('').slice(0, 7), pieces.join('').slice(7)], false);
    const same = await encodeDocument(pieces, true);
    const other = await encodeDocument([...pieces, ' '], false);
    expect(recut.etag).toBe(same.etag);
    expect(other.etag).not.toBe(same.etag);
    expect(same.etagGzip).not.toBe(same.etag);
  });

  it('rejects with the renderer’s error when a piece cannot be produced', async () => {
    function* failing(): Generator<string> {
      yield '<tv>';
      throw new Error('bad snapshot');
    }
    await expect(encodeDocument(failing(), false)).rejects.toThrow('bad snapshot');
  });
});
