import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { allowedMethods, hasRepeatedHost } from './edge-checks.js';

describe('hasRepeatedHost', () => {
  it.each([
    [['Host', 'a'], false],
    [['host', 'a', 'Accept', '*/*'], false],
    [['Host', 'a', 'HOST', 'b'], true],
    [['Host', 'a', 'X-Host', 'b', 'host', 'a'], true],
    [[], false],
  ])('%j → %s', (raw, expected) => expect(hasRepeatedHost(raw)).toBe(expected));
});

describe('allowedMethods', () => {
  const fastify = Fastify();
  fastify.get('/playlist.m3u', () => '');
  fastify.post('/api/v1/catalog/refresh', () => '');
  fastify.route({ method: ['GET', 'POST'], url: '/lineup.post', handler: () => '' });
  fastify.get('/api/v1/channels/:id', () => '');

  it.each([
    ['/playlist.m3u', ['GET', 'HEAD']],
    ['/playlist.m3u?bouquet=1', ['GET', 'HEAD']],
    ['/api/v1/catalog/refresh', ['POST']],
    ['/lineup.post', ['GET', 'HEAD', 'POST']],
    ['/api/v1/channels/das-erste-0000', ['GET', 'HEAD']],
    ['/nope', []],
  ])('%s → %j', async (url, expected) => {
    await fastify.ready();
    expect(allowedMethods(fastify, url)).toEqual(expected);
  });
});
