import { describe, expect, it, vi } from 'vitest';
import { ClockRepository } from '@e2gate/observability';
import type { CatalogClientRepository } from '../repositories/catalog-client.repository.js';
import { CatalogApiService } from './catalog-api.service.js';
import type { SnapshotFollowerService } from './snapshot-follower.service.js';

describe('CatalogApiService.refresh', () => {
  it('tells the catalog (which logs it) the length of the reason a user typed, never its text', async () => {
    const request = vi.fn().mockResolvedValue({ refreshId: 'r-1', state: 'started' });
    const catalog = { request } as unknown as CatalogClientRepository;
    const service = new CatalogApiService(catalog, {} as SnapshotFollowerService, new ClockRepository());
    expect(await service.refresh('Müller asked: new channels', 'req-1')).toEqual({
      refreshId: 'r-1',
      state: 'started',
    });
    await service.refresh(undefined, 'req-2');
    expect(request.mock.calls).toEqual([
      ['catalog.cmd.refresh', { reason: 'api, reason of 26 characters' }, 'req-1'],
      ['catalog.cmd.refresh', { reason: 'api' }, 'req-2'],
    ]);
  });
});
