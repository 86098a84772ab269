import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each(['trace-abc.123', 'svc:42', '4bf92f3577b34da6a3ce929d0e0e4736', 'x'.repeat(64)])(
    'keeps the well-formed id %s',
    (id) => expect(requestIdFrom(id)).toBe(id),
  );

  it.each([
    ['too long', 'x'.repeat(65)],
    ['empty', ''],
    ['JSON injection', 'x "}{"level":60'],
    ['markup', '<b>id</b>'],
    ['a line break', 'abc\ndef'],
    ['non-ASCII', 'idé'],
    ['a repeated header', ['a', 'b']],
    ['absent', undefined],
  ])('replaces %s with a UUID', (_case, incoming) => expect(requestIdFrom(incoming)).toMatch(UUID));
});
