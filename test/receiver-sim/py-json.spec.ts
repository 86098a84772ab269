import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBody, pyDumps } from './py-json.js';

describe('Python-style JSON', () => {
  it('matches json.dumps(indent=1): one-space indent, "," item separator, ": " key separator', () => {
    expect(pyDumps({ result: true, pos: 0, services: [{ a: 1 }, []], empty: {} })).toBe(
      '{\n "result": true,\n "pos": 0,\n "services": [\n  {\n   "a": 1\n  },\n  []\n ],\n "empty": {}\n}',
    );
  });

  it('escapes like ensure_ascii: \\uXXXX for everything outside printable ASCII, lowercase hex', () => {
    expect(pyDumps('Österreich & "Sport"\n\u0086x\u007f€😀')).toBe(
      '"\\u00d6sterreich & \\"Sport\\"\\n\\u0086x\\u007f\\u20ac\\ud83d\\ude00"',
    );
  });

  it('writes the compact form with Python default separators', () => {
    expect(
      pyDumps({ result: false, request: '/api/x', exception: 'boom' }, { indent: null, ensureAscii: true }),
    ).toBe('{"result": false, "request": "/api/x", "exception": "boom"}');
  });

  it('keeps raw characters without ensure_ascii and sends them as Latin-1 bytes', () => {
    const text = pyDumps({ name: 'Ö3 & Co\u0086' }, { indent: 1, ensureAscii: false });
    expect(text).toBe('{\n "name": "Ö3 & Co\u0086"\n}');
    const bytes = encodeBody(text, true);
    expect([...bytes.subarray(12, 14)]).toEqual([0xd6, 0x33]);
    expect(bytes.includes(0x86)).toBe(true);
    expect(bytes.length).toBe(text.length);
    expect(encodeBody('Ö', false)).toEqual(Buffer.from([0xc3, 0x96]));
  });

  it('always produces JSON that parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalised = JSON.parse(JSON.stringify(value)) as unknown;
        for (const ensureAscii of [true, false]) {
          expect(JSON.parse(pyDumps(normalised as never, { indent: 1, ensureAscii }))).toEqual(normalised);
        }
      }),
    );
  });
});
