import { describe, expect, it } from 'vitest';
import { transponderOf } from './transponder.js';

describe('transponderOf', () => {
  it('is TSID:ONID:namespace for DVB services, whatever the spelling', () => {
    expect(transponderOf('1:0:19:283D:3FB:1:C00000:0:0:0:')).toBe('3FB:1:C00000');
    expect(transponderOf('1:0:1:283e:3fb:1:c00000:0:0:0')).toBe('3FB:1:C00000');
    expect(transponderOf('1:0:19:2B66:3F3:1:C00000:0:0:0:')).not.toBe(
      transponderOf('1:0:19:283D:3FB:1:C00000:0:0:0:'),
    );
  });

  it('needs no tuner for IPTV and counts an alternatives group as its own', () => {
    expect(transponderOf('4097:0:1:0:0:0:0:0:0:0:http%3a//example.org/live.m3u8:Web TV')).toBeNull();
    expect(transponderOf('1:134:1:0:0:0:0:0:0:0:FROM BOUQUET "alternatives.x.tv" ORDER BY bouquet')).toMatch(
      /^ref:/,
    );
  });
});
