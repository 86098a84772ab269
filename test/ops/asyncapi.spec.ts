import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { NATS_CHANNELS, Subject } from '@e2gate/contracts';
import { PUBLIC_EVENT_SUBJECTS } from '@e2gate/nats';
import { asyncApiYaml } from '../../scripts/asyncapi-document.js';

// docs/asyncapi.yaml is generated from the contracts; these checks keep it valid AsyncAPI 3, in step with the code
// (regenerate with `npm run asyncapi`) and with the typed subject registry and the events user's permissions.

const committed = readFileSync(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8');
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

interface Document {
  channels: Record<string, { address: string | null; 'x-e2gate-public'?: boolean }>;
  operations: Record<string, { action: string; reply?: unknown }>;
}
const document = yaml.load(committed) as Document;

describe('docs/asyncapi.yaml', () => {
  it('is what the contracts generate now (run `npm run asyncapi` after changing them)', async () => {
    const { format, resolveConfig } = await import('prettier');
    const filepath = new URL('../../docs/asyncapi.yaml', import.meta.url).pathname;
    const generated = await format(asyncApiYaml(version), { ...(await resolveConfig(filepath)), filepath });
    expect(committed).toBe(generated);
  });

  it('is a valid AsyncAPI 3 document: @asyncapi/parser reports no error', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(committed);
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed?.channels().length).toBeGreaterThan(20);
    const broken = committed.replace('asyncapi: 3.0.0', 'asyncapi: 3.0.0\nunknownTopLevel: true');
    const { diagnostics: refused } = await new Parser().parse(broken);
    expect(refused.some((diagnostic) => diagnostic.severity === 0)).toBe(true);
  });

  it('has one channel per subject of the typed registry, and one per subject with parameters', () => {
    const addresses = Object.values(document.channels).map((channel) => channel.address);
    for (const subject of Object.values(Subject)) expect(addresses).toContain(subject);
    for (const channel of NATS_CHANNELS) expect(addresses).toContain(channel.address);
    const requests = NATS_CHANNELS.filter((channel) => channel.kind === 'request').length;
    expect(addresses.filter((address) => address === null)).toHaveLength(requests);
  });

  it('marks public exactly the events the read-only `events` NATS user may subscribe to', () => {
    const publicAddresses = Object.values(document.channels)
      .filter((channel) => channel['x-e2gate-public'])
      .map((channel) => channel.address);
    expect(publicAddresses.sort()).toEqual(
      [
        'catalog.evt.refreshed',
        'catalog.evt.refresh-failed',
        'jobs.evt.{jobId}.{state}',
        'jobs.progress.{jobId}',
        'transcoder.evt.session.closed',
        'transcoder.evt.session.segment',
      ].sort(),
    );
    expect(PUBLIC_EVENT_SUBJECTS).toEqual([
      'catalog.evt.>',
      'transcoder.evt.>',
      'jobs.evt.>',
      'jobs.progress.>',
    ]);
  });

  it('gives every request a reply, and says which side acts', () => {
    for (const [id, operation] of Object.entries(document.operations)) {
      const channel = NATS_CHANNELS.find(
        (candidate) => document.channels[id]?.address === candidate.address,
      )!;
      expect(channel, id).toBeDefined();
      expect(Boolean(operation.reply), id).toBe(channel.kind === 'request');
      expect(operation.action, id).toBe(
        channel.kind === 'event' || channel.kind === 'data' ? 'send' : 'receive',
      );
    }
  });
});
