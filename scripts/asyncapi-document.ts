/**
 * docs/asyncapi.yaml (AsyncAPI 3) from the contracts: one channel per subject of `NATS_CHANNELS` (the typed subject
 * registry plus the subjects with parameters), payload schemas from the classes' validation rules. Written by
 * `npm run asyncapi`; test/ops/asyncapi.spec.ts parses it with @asyncapi/parser and fails when it drifts.
 */
import { createRequire } from 'node:module';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import yaml from 'js-yaml';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { NATS_CHANNELS, type NatsChannel } from '@e2gate/contracts';
import { PUBLIC_EVENT_SUBJECTS } from '@e2gate/nats';

// The decorators of the contracts register with class-transformer's CommonJS build (its package's `main`).
const { defaultMetadataStorage } = createRequire(import.meta.url)('class-transformer/cjs/storage.js') as {
  defaultMetadataStorage: MetadataStorage;
};

type Json = Record<string, unknown>;

const SCHEMAS = '#/components/schemas/';

/** `catalog.get.now-next` → `catalogGetNowNext`, `jobs.evt.{jobId}.{state}` → `jobsEvtJobIdState`. */
function idOf(address: string): string {
  const words = address.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((word, index) => (index === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
}

function messageOf(channel: NatsChannel, schemas: Json): Json {
  if (channel.payload === 'bytes') {
    return { name: 'MpegTsChunk', contentType: 'video/mp2t', payload: { type: 'string', format: 'binary' } };
  }
  const name = channel.payload.name;
  schemas[name] ??= { type: 'object' };
  return { name, contentType: 'application/json', payload: { $ref: `${SCHEMAS}${name}` } };
}

/** NATS wildcard matching: `*` is one token, a final `>` one or more. */
function subjectMatches(pattern: string, subject: string): boolean {
  const wanted = pattern.split('.');
  const tokens = subject.split('.');
  for (const [index, part] of wanted.entries()) {
    if (part === '>') return tokens.length > index;
    if (index >= tokens.length || (part !== '*' && part !== tokens[index])) return false;
  }
  return wanted.length === tokens.length;
}

/** Whether the `events` user (ADR 0032) may subscribe to every subject of the address. */
function followableByEventsUser(address: string): boolean {
  const sample = address.replace(/\{[^}]+\}/g, 'x');
  return PUBLIC_EVENT_SUBJECTS.some((pattern) => subjectMatches(pattern, sample));
}

export function buildAsyncApiDocument(version: string): Json {
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: SCHEMAS,
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Json;
  schemas['RpcReply'] = {
    type: 'object',
    description: 'Every reply: `{ok: true, data}` or `{ok: false, error: {code, message, details}}`.',
    required: ['ok'],
    properties: {
      ok: { type: 'boolean' },
      data: { description: "The answer (docs/subjects.md describes each request's)." },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
      },
    },
  };

  const channels: Json = {};
  const operations: Json = {};
  for (const channel of NATS_CHANNELS) {
    const id = idOf(channel.address);
    const isPublic = channel.public === true && followableByEventsUser(channel.address);
    channels[id] = {
      address: channel.address,
      summary: channel.summary,
      messages: { message: messageOf(channel, schemas) },
      ...(channel.parameters
        ? {
            parameters: Object.fromEntries(
              Object.entries(channel.parameters).map(([name, description]) => [name, { description }]),
            ),
          }
        : {}),
      'x-e2gate-kind': channel.kind,
      'x-e2gate-published-by': channel.publishedBy,
      'x-e2gate-received-by': channel.receivedBy,
      'x-e2gate-public': isPublic,
      ...(channel.queueGroup ? { 'x-nats-queue-group': channel.queueGroup } : {}),
      ...(channel.stream ? { 'x-nats-jetstream-stream': channel.stream } : {}),
    };
    // e2gate as one application: what it publishes it sends; what it only answers or consumes it receives.
    const sends = channel.kind === 'event' || channel.kind === 'data';
    if (channel.kind === 'request') {
      channels[`${id}Reply`] = {
        address: null,
        summary: `The reply to ${channel.address} (the request's reply subject).`,
        messages: {
          reply: {
            name: 'RpcReply',
            contentType: 'application/json',
            payload: { $ref: `${SCHEMAS}RpcReply` },
          },
        },
      };
    }
    operations[id] = {
      action: sends ? 'send' : 'receive',
      channel: { $ref: `#/channels/${id}` },
      summary: channel.summary,
      messages: [{ $ref: `#/channels/${id}/messages/message` }],
      ...(channel.kind === 'request'
        ? {
            reply: {
              channel: { $ref: `#/channels/${id}Reply` },
              messages: [{ $ref: `#/channels/${id}Reply/messages/reply` }],
            },
          }
        : {}),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'e2gate NATS API',
      version,
      description:
        "The subjects e2gate's services talk over. Other programs may follow the channels marked `x-e2gate-public` " +
        'with the read-only `events` NATS user (docs/deploy/nats-security.md); everything else is internal and ' +
        "permitted to e2gate's own services only. Generated from libs/contracts by `npm run asyncapi`.",
      license: { name: 'GPL-3.0-or-later' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:4222',
        protocol: 'nats',
        description: 'The nats-server `npm start` runs; every user needs its NKey.',
        security: [{ $ref: '#/components/securitySchemes/nkey' }],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      securitySchemes: {
        nkey: {
          type: 'asymmetricEncryption',
          description:
            "NATS NKey: the client signs the server's nonce with its Ed25519 seed (`E2GATE_NATS_NKEY_FILE`).",
        },
      },
    },
  };
}

export function asyncApiYaml(version: string): string {
  return (
    '# Generated by `npm run asyncapi` from libs/contracts (scripts/asyncapi-document.ts): do not edit.\n' +
    yaml.dump(buildAsyncApiDocument(version), { lineWidth: 120, noRefs: true })
  );
}
