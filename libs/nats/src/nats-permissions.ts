import { Bucket, JobStream, Subject } from '@e2gate/contracts';

/**
 * Who may do what on NATS (ADR 0032). Every service connects as its own user; each user may publish and subscribe
 * only where its work needs it. JetStream is reached through subjects too, so bucket rights are subject rights:
 * writing a KV bucket is publishing to `$KV.<bucket>.>`, reading it is the stream API of `KV_<bucket>`.
 */
export type NatsRole = 'catalog' | 'gateway' | 'transcoder' | 'events' | 'admin';

export const NATS_ROLES: readonly NatsRole[] = ['catalog', 'gateway', 'transcoder', 'events', 'admin'];

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests it received (to their reply subject), whatever that subject is. */
  allowResponses: boolean;
}

/**
 * Each service's reply inbox lives under its own prefix, so no other user can subscribe to its replies (the
 * default `_INBOX.>` would have to be open to everyone).
 */
export function inboxPrefixOf(role: NatsRole): string {
  return `_INBOX_${role}`;
}

const kvStream = (bucket: string): string => `KV_${bucket}`;
const objectStream = (bucket: string): string => `OBJ_${bucket}`;

/** Read a stream: its info, single messages, and consumers that only read (no acks). */
function readStream(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** Create and reconfigure a stream (provisioning at start), and publish the acks of what it consumes. */
function ownStream(stream: string): string[] {
  return [
    ...readStream(stream),
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.UPDATE.${stream}`,
    `$JS.API.STREAM.PURGE.${stream}`,
    `$JS.API.STREAM.MSG.DELETE.${stream}`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
    `$JS.API.CONSUMER.NAMES.${stream}`,
    `$JS.API.CONSUMER.LIST.${stream}`,
    `$JS.ACK.${stream}.>`,
  ];
}

const readKv = (bucket: string): string[] => readStream(kvStream(bucket));
const writeKv = (bucket: string): string[] => [...ownStream(kvStream(bucket)), `$KV.${bucket}.>`];
const readObjects = (bucket: string): string[] => readStream(objectStream(bucket));
const writeObjects = (bucket: string): string[] => [...ownStream(objectStream(bucket)), `$O.${bucket}.>`];

/** Every JetStream client asks for the account's limits and looks streams up by name. */
const JETSTREAM_BASICS = ['$JS.API.INFO', '$JS.API.STREAM.NAMES'];

/**
 * Provision the job streams, enqueue, and take back the queue message of a job cancelled while it waits (the
 * gateway): no consumer on the work queue, so it cannot take jobs.
 */
const JOB_SUBMISSION = [
  `$JS.API.STREAM.CREATE.${JobStream.Jobs}`,
  `$JS.API.STREAM.UPDATE.${JobStream.Jobs}`,
  `$JS.API.STREAM.INFO.${JobStream.Jobs}`,
  `$JS.API.STREAM.MSG.DELETE.${JobStream.Jobs}`,
  ...ownStream(JobStream.Events),
  `$JS.API.STREAM.CREATE.${JobStream.DeadLetters}`,
  `$JS.API.STREAM.UPDATE.${JobStream.DeadLetters}`,
  `$JS.API.STREAM.INFO.${JobStream.DeadLetters}`,
  ...writeKv(Bucket.Jobs),
  ...writeObjects(Bucket.Artifacts),
  'jobs.dispatch.>',
  'jobs.evt.>',
  'jobs.control.>',
  'jobs.doorbell.>',
];

/** Take jobs off the work queue and run them (transcoders). */
const JOB_WORK = [
  ...ownStream(JobStream.Jobs),
  ...ownStream(JobStream.Events),
  ...ownStream(JobStream.DeadLetters),
  ...writeKv(Bucket.Jobs),
  ...writeObjects(Bucket.Artifacts),
  'jobs.evt.>',
  'jobs.progress.>',
  'jobs.dlq.>',
];

const CATALOG_QUERIES = [
  Subject.CatalogGetMeta,
  Subject.CatalogGetChannels,
  Subject.CatalogGetEpg,
  Subject.CatalogGetSearch,
  Subject.CatalogGetNowNext,
];

/** The events other programs may follow (docs/asyncapi.yaml); commands and buckets are not among them. */
export const PUBLIC_EVENT_SUBJECTS = ['catalog.evt.>', 'transcoder.evt.>', 'jobs.evt.>', 'jobs.progress.>'];

function permissionsOf(role: Exclude<NatsRole, 'admin'>): NatsPermissions {
  const inbox = `${inboxPrefixOf(role)}.>`;
  switch (role) {
    case 'catalog':
      return {
        publish: [
          ...JETSTREAM_BASICS,
          'catalog.evt.>',
          ...writeKv(Bucket.ReceiverBudget),
          ...writeObjects(Bucket.Catalog),
          ...writeKv(Bucket.CatalogMeta),
          ...writeKv(Bucket.CatalogLock),
          ...writeObjects(Bucket.Picons),
        ],
        // Replicas follow each other's refreshes.
        subscribe: [...CATALOG_QUERIES, Subject.CatalogCmdRefresh, 'catalog.evt.>', inbox],
        allowResponses: true,
      };
    case 'gateway':
      return {
        publish: [
          ...JETSTREAM_BASICS,
          ...CATALOG_QUERIES,
          Subject.CatalogCmdRefresh,
          Subject.TranscoderCmdSessionOpen,
          Subject.TranscoderCmdSessionTouch,
          Subject.TranscoderCmdSessionClose,
          ...readObjects(Bucket.Catalog),
          ...readKv(Bucket.CatalogMeta),
          ...readObjects(Bucket.Picons),
          ...readKv(Bucket.Sessions),
          ...readKv(Bucket.Nodes),
          ...readObjects(Bucket.Hls),
          ...writeKv(Bucket.WebSessions),
          ...JOB_SUBMISSION,
        ],
        subscribe: ['catalog.evt.>', 'transcoder.evt.>', 'stream.data.>', 'jobs.progress.>', inbox],
        allowResponses: false,
      };
    case 'transcoder':
      return {
        publish: [
          ...JETSTREAM_BASICS,
          'transcoder.evt.>',
          'transcoder.node.>',
          'stream.data.>',
          ...readObjects(Bucket.Catalog),
          ...readKv(Bucket.CatalogMeta),
          ...writeKv(Bucket.ReceiverBudget),
          ...writeKv(Bucket.Sessions),
          ...writeKv(Bucket.Tuners),
          ...writeKv(Bucket.Nodes),
          ...writeObjects(Bucket.Hls),
          ...JOB_WORK,
        ],
        subscribe: [
          'transcoder.cmd.>',
          'transcoder.node.>',
          'catalog.evt.>',
          'jobs.control.>',
          'jobs.doorbell.>',
          `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${JobStream.Jobs}.*`,
          inbox,
        ],
        allowResponses: true,
      };
    case 'events':
      return { publish: [], subscribe: [...PUBLIC_EVENT_SUBJECTS], allowResponses: false };
  }
}

/** The permissions of a role; `null` for `admin` (everything: for operators with the `nats` CLI). */
export function natsPermissions(role: NatsRole): NatsPermissions | null {
  return role === 'admin' ? null : permissionsOf(role);
}
