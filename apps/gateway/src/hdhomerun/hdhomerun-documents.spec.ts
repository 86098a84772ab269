import { describe, expect, it } from 'vitest';
import type { Channel } from '@e2gate/contracts';
import { deviceXml, discoverDocument, lineupDocument, lineupStatusDocument } from './hdhomerun-documents.js';

const device = {
  deviceId: '1A2B3C46',
  deviceAuth: 'a'.repeat(24),
  friendlyName: 'Living <Room>',
  tunerCount: 4,
};

function channel(number: number, name: string, extra: Partial<Channel> = {}): Channel {
  return {
    id: `c${number}-00000000`,
    xmltvId: `${number}-1-1-0.dvb`,
    number,
    name,
    ref: '1:0:1:1:1:1:0:0:0:0:',
    kind: 'dvb',
    sid: number,
    serviceType: 1,
    hd: false,
    bouquetIds: [],
    picon: null,
    ...extra,
  };
}

describe('HDHomeRun documents', () => {
  it('discover.json has a numeric TunerCount and absolute URLs', () => {
    const doc = discoverDocument(device, 'http://192.168.1.50:8080');
    expect(doc).toMatchObject({ DeviceID: '1A2B3C46', TunerCount: 4, ModelNumber: 'HDTC-2US' });
    expect(doc.LineupURL).toBe('http://192.168.1.50:8080/lineup.json');
  });

  it('lineup.json: TV only, by number, string GuideNumber, numeric HD flag', () => {
    const lineup = lineupDocument(
      [
        channel(2, 'ZDF HD', { hd: true }),
        channel(1, 'Das Erste\u0086 HD'),
        channel(3, 'Radio', { serviceType: 2 }),
      ],
      (c) => `http://gw/stream/${c.id}`,
    );
    expect(lineup).toEqual([
      { GuideNumber: '1', GuideName: 'Das Erste HD', URL: 'http://gw/stream/c1-00000000', HD: 0 },
      { GuideNumber: '2', GuideName: 'ZDF HD', URL: 'http://gw/stream/c2-00000000', HD: 1 },
    ]);
  });

  it('lineup_status.json reports an idle, possible scan', () => {
    expect(lineupStatusDocument()).toEqual({
      ScanInProgress: 0,
      ScanPossible: 1,
      Source: 'Cable',
      SourceList: ['Cable'],
    });
  });

  it('device.xml escapes the friendly name and carries the UDN', () => {
    const xml = deviceXml(device, 'http://gw');
    expect(xml).toContain('<friendlyName>Living &lt;Room&gt;</friendlyName>');
    expect(xml).toContain('<UDN>uuid:1A2B3C46-0000-0000-0000-000000000000</UDN>');
  });
});
