import { describe, expect, it } from 'vitest';
import { RenderCache, type Rendered } from './render-cache.js';

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

  it('forgets failed renderings', async () => {
    const cache = new RenderCache(1000);
    await expect(cache.get('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(cache.get('a', async () => rendered(1))).resolves.toMatchObject({ etag: '"e"' });
  });
});
