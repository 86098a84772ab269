import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadGatewayConfig } from '@e2gate/config';
import { ClockRepository } from '@e2gate/observability';
import { UrlSigner } from '../auth/url-signer.js';
import type { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { hostileSnapshot, storedView } from '../rendering/snapshot.fixture.js';
import type { CredentialsService } from './credentials.service.js';
import { DocumentsService } from './documents.service.js';
import type { SnapshotFollowerService } from './snapshot-follower.service.js';
import type { SnapshotView } from './snapshot-view.js';
import { LiveSettings, reloadableOf } from './live-settings.js';

class FrozenClock extends ClockRepository {
  override nowMs(): number {
    return 1_800_000_000_000;
  }
}

const fixture = await storedView(hostileSnapshot());

function setup(env: Record<string, string> = {}) {
  let install: (view: SnapshotView) => void = () => undefined;
  const follower = {
    current: fixture,
    onInstall: (listener: (view: SnapshotView) => void) => (install = listener),
  };
  const metrics = { rendered: vi.fn(), renderCacheEvicted: vi.fn() };
  const credentials = { signer: new UrlSigner(Buffer.from('k'.repeat(32))) };
  const config = loadGatewayConfig({ E2GATE_RENDER_BASE_URLS: '2', ...env });
  const live = new LiveSettings(reloadableOf(config));
  const service = new DocumentsService(
    config,
    follower as unknown as SnapshotFollowerService,
    credentials as unknown as CredentialsService,
    new FrozenClock(),
    metrics as unknown as GatewayMetrics,
    live,
  );
  const renders = () => metrics.rendered.mock.calls.length;
  const evictedByBaseUrl = () =>
    metrics.renderCacheEvicted.mock.calls
      .filter(([reason]) => reason === 'base-url')
      .reduce((sum, [, documents]) => sum + (documents as number), 0);
  return {
    service,
    live,
    follower,
    metrics,
    renders,
    evictedByBaseUrl,
    install: (view: SnapshotView) => install(view),
  };
}

describe('DocumentsService: documents per base URL are bounded (E2GATE_RENDER_BASE_URLS)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  let t: ReturnType<typeof setup>;
  beforeEach(() => (t = setup()));

  it('renders once per base URL while no more than the bound are in use', async () => {
    for (let round = 0; round < 3; round++) {
      await t.service.xmltv('http://a:8080');
      await t.service.xmltv('http://b:8080');
    }
    expect(t.renders()).toBe(2);
    expect(t.metrics.renderCacheEvicted).not.toHaveBeenCalled();
  });

  it('drops every document of the least recently used base URL once another one comes, and counts it', async () => {
    const stream = { signStreams: true };
    await t.service.xmltv('http://a');
    await t.service.playlist({ baseUrl: 'http://a', ...stream });
    await t.service.lineup({ baseUrl: 'http://a', ...stream });
    await t.service.xmltv('http://b');
    await t.service.xmltv('http://a'); // a is now the most recently used: b goes next
    expect(t.renders()).toBe(4);
    const c = await t.service.xmltv('http://c');
    expect(t.evictedByBaseUrl()).toBe(1);
    expect(c.gzip.length).toBeGreaterThan(0);
    await t.service.playlist({ baseUrl: 'http://a', ...stream });
    expect(t.renders()).toBe(5);
    await t.service.xmltv('http://b');
    expect([t.renders(), t.evictedByBaseUrl()]).toEqual([6, 2]);
    expect(t.service.cacheStats.entries).toBe(4);
  });

  it('keeps memory bounded while a client cycles Host values', async () => {
    for (let i = 0; i < 50; i++) await t.service.xmltv(`http://host-${i}.example`);
    expect(t.renders()).toBe(50);
    expect(t.service.cacheStats.entries).toBe(2);
    expect(t.evictedByBaseUrl()).toBe(48);
  });

  it('renders again after a reload that changes URL signing, and only then', async () => {
    await t.service.xmltv('http://a:8080');
    const current = t.live.current;
    await t.live.replace({ ...current, logLevel: 'debug' });
    await t.service.xmltv('http://a:8080');
    expect(t.renders()).toBe(1);
    await t.live.replace({ ...current, auth: { ...current.auth, signingTtlMs: 3_600_000 } });
    await t.service.xmltv('http://a:8080');
    expect(t.renders()).toBe(2);
  });

  it('starts afresh with a new snapshot version', async () => {
    await t.service.xmltv('http://a');
    await t.service.xmltv('http://b');
    const next = await storedView({ ...hostileSnapshot(), version: 'f2f2f2f2' });
    t.follower.current = next;
    t.install(next);
    await t.service.xmltv('http://c');
    await t.service.xmltv('http://a');
    expect(t.evictedByBaseUrl()).toBe(0);
    expect(t.renders()).toBe(4);
  });
});
