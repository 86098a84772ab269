import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalCategory } from './genre-categories.js';
import type { SnapshotView } from '../services/snapshot-view.js';
import { hostileSnapshot, storedView } from './snapshot.fixture.js';
import { xmlSafeText } from './text-clean.js';
import { guideChannels, renderXmltv, type GuideOptions, type GuideSource } from './xmltv-renderer.js';
import { xmltvTime } from './xmltv-time.js';

const DTD = '/usr/share/xmltv/xmltv.dtd';
const options: GuideOptions = {
  idMode: 'dvb',
  lang: 'de',
  generator: 'e2gate/test',
  logoUrl: (channel) => (channel.picon ? `http://gw/picons/${channel.picon}.png?exp=1&sig=a` : null),
};
const dir = mkdtempSync(join(tmpdir(), 'xmltv-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function render(source: GuideSource, guideOptions: GuideOptions): Promise<string> {
  let xml = '';
  for await (const chunk of renderXmltv(source, guideOptions)) xml += chunk;
  return xml;
}

function write(name: string, xml: string): string {
  const path = join(dir, name);
  writeFileSync(path, xml);
  return path;
}

describe('renderXmltv', () => {
  const snapshot = hostileSnapshot();
  let view: SnapshotView;
  let xml = '';
  beforeAll(async () => {
    view = await storedView(snapshot);
    xml = await render(view, options);
  });

  it('passes xmllint --dtdvalid against the XMLTV DTD', () => {
    const path = write('guide.xml', xml);
    expect(() =>
      execFileSync('xmllint', ['--noout', '--dtdvalid', DTD, path], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('passes tv_validate_file (DTD plus the XMLTV checks)', () => {
    const path = write('guide-validate.xml', xml);
    const output = execFileSync('tv_validate_file', ['--dtd-file', DTD, path], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(output).toContain('Validated ok');
  });

  it('in number mode uses channel numbers as ids and stays DTD-valid', async () => {
    const numbered = await render(view, { ...options, idMode: 'number' });
    expect(numbered).toContain('<channel id="3">');
    expect(numbered).toContain('channel="3">');
    const path = write('numbered.xml', numbered);
    expect(() =>
      execFileSync('xmllint', ['--noout', '--dtdvalid', DTD, path], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('writes channels first, only those with programmes, in number order', () => {
    const ids = [...xml.matchAll(/<channel id="([^"]+)">/g)].map((match) => match[1]);
    expect(ids).toEqual([
      '1-3fb-1-c00000.dvb',
      '2-3fb-1-c00000.dvb',
      '3-3fb-1-c00000.dvb',
      '5-3fb-1-c00000.dvb',
    ]);
    expect(xml.lastIndexOf('<channel ')).toBeLessThan(xml.indexOf('<programme '));
  });

  it('escapes markup and removes DVB control codes and U+FFFD', () => {
    expect(xml).toContain('<title lang="de">Fußball &amp; "Tore"</title>');
    expect(xml).toContain('<sub-title lang="de">Runde &lt;1&gt;</sub-title>');
    expect(xml).toContain('<desc lang="de">Zeile eins\nZeile zwei betont  Ende</desc>');
    expect(xml).toContain('<display-name lang="de">Sport, "Live" &amp; &lt;More&gt;</display-name>');
    expect(xml).toContain('<title lang="de">Evil &lt;/title&gt;&lt;title&gt;x</title>');
    expect(xml).not.toMatch(/[\u0080-\u009f\ufffd]/);
  });

  it('skips untitled events, repeated sub-titles and empty descriptions; maps genres', () => {
    expect(xml.match(/<programme /g)).toHaveLength(5);
    expect(xml).not.toContain('<sub-title lang="de">Nachrichten</sub-title>');
    expect(xml).not.toContain('<desc lang="de"></desc>');
    expect(xml).toContain(
      '<category lang="en">Sports</category>\n    <category lang="de">Fußball</category>',
    );
    expect(xml).toContain(
      '<category lang="en">News</category>\n    <category lang="de">Nachrichten</category>',
    );
  });

  it('writes absolute icon URLs with escaped ampersands', () => {
    expect(xml).toContain('<icon src="http://gw/picons/1-3fb-1-c00000.png?exp=1&amp;sig=a"/>');
  });

  it('keeps one channel per guide id', async () => {
    const twin = { ...snapshot.channels[1]!, id: 'twin-00000009', number: 9 };
    const doubled = await storedView({
      ...snapshot,
      channels: [...snapshot.channels, twin],
      epg: { ...snapshot.epg, [twin.id]: snapshot.epg[snapshot.channels[1]!.id]! },
    });
    expect(guideChannels(doubled, 'dvb').filter((c) => c.xmltvId === twin.xmltvId)).toHaveLength(1);
    expect(guideChannels(doubled, 'number').filter((c) => c.xmltvId === twin.xmltvId)).toHaveLength(2);
  });
});

describe('XMLTV helpers', () => {
  it('formats times in UTC with an explicit offset', () => {
    expect(xmltvTime(0)).toBe('19700101000000 +0000');
    expect(xmltvTime(1_763_751_600)).toBe('20251121190000 +0000');
  });

  it.each([
    [0x10, 'Movie'],
    [0x23, 'News'],
    [0x40, 'Sports'],
    [0x51, 'Children'],
    [0xa0, 'Leisure'],
    [0x00, null],
    [0xb0, null],
    [undefined, null],
  ])('genre %s → %s', (genreId, category) => expect(canonicalCategory(genreId)).toBe(category));

  it('removes what XML 1.0 forbids, keeps astral characters', () => {
    expect(xmlSafeText('a\u0000b\u0007c\ud800d\uffffe😀')).toBe('abcde😀');
  });
});
