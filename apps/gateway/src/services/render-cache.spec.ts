import { describe, expect, it } from 'vitest';
import { RecentSet, RenderCache, type Rendered } from './render-cache.js';

const rendered = (size: number): Rendered => ({
  body: Buffer.alloc(size),
  bodyLength: size,
  gzip: Buffer.alloc(0),
  etag: '"e"',
  etagGzip: '"e-gz"',
  contentType: 'text/plain',
});

describe('RenderCache', () => {
  it('renders a key once, also for concurrent requests', async () => {
    const cache = new RenderCache(1000);
    let renders = 0;
    const render = async () => {
      renders++;
      return rendered(10);
    };
    await Promise.all([cache.get('a', render), cache.get('a', render), cache.get('a', render)]);
    await cache.get('a', render);
    expect(renders).toBe(1);
  });

  it('evicts least recently used entries beyond the byte bound', async () => {
    const cache = new RenderCache(250);
    await cache.get('a', async () => rendered(100));
    await cache.get('b', async () => rendered(100));
    await cache.get('a', async () => rendered(100));
    await cache.get('c', async () => rendered(100));
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(200);
    let rerendered = false;
    await cache.get('a', async () => ((rerendered = true), rendered(100)));
    expect(rerendered).toBe(false);
  });

  it('reports entries evicted by the byte bound', async () => {
    const evicted: number[] = [];
    const cache = new RenderCache(250, (entries) => evicted.push(entries));
    await cache.get('a', async () => rendered(100));
    await cache.get('b', async () => rendered(100));
    expect(evicted).toEqual([]);
    await cache.get('c', async () => rendered(200));
    expect(evicted).toEqual([2]);
  });

  it('drops every entry of a tag, also one still rendering', async () => {
    const cache = new RenderCache(10_000);
    await cache.get('m3u|a', async () => rendered(10), 'http://a');
    await cache.get('xmltv|a', async () => rendered(10), 'http://a');
    await cache.get('m3u|b', async () => rendered(10), 'http://b');
    let finish: (value: Rendered) => void = () => undefined;
    const pending = cache.get(
      'lineup|a',
      () => new Promise<Rendered>((resolve) => (finish = resolve)),
      'http://a',
    );
    expect(cache.dropTag('http://a')).toBe(3);
    finish(rendered(10));
    await pending;
    expect([cache.size, cache.bytes]).toEqual([1, 10]);
  });

  it('forgets failed renderings', async () => {
    const cache = new RenderCache(1000);
    await expect(cache.get('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(cache.get('a', async () => rendered(1))).resolves.toMatchObject({ etag: '"e"' });
  });
});

describe('RecentSet', () => {
  it('keeps the most recently used values and names the one it pushes out', () => {
    const recent = new RecentSet<string>(2);
    expect([recent.touch('a'), recent.touch('b'), recent.touch('a')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(recent.touch('c')).toBe('b');
    expect(recent.touch('a')).toBeUndefined();
    expect(recent.touch('b')).toBe('c');
    expect(recent.size).toBe(2);
    recent.clear();
    expect(recent.touch('x')).toBeUndefined();
  });
});
