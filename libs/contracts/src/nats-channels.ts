import {
  EmptyMessage,
  JobControlCommandMessage,
  JobDeadLetterMessage,
  JobDispatchQueueMessage,
  JobProgressEventMessage,
  JobTransitionEventMessage,
} from './job-messages.js';
import { EventClass, RequestClass, type SubjectName } from './subjects.js';
import { STREAM_KEY_HEADER, TranscoderSessionOpenRequest } from './transcoder.js';

/**
 * Every NATS subject e2gate uses, described for other programs (docs/asyncapi.yaml is generated from this). Keyed by
 * the typed subject registry, so a subject added there without a description here does not compile; subjects with
 * parameters (`{jobId}`) follow.
 */

export type NatsService = 'catalog' | 'gateway' | 'transcoder';

/** `request`: answered by one member of a queue group; `event`/`command`: fire and forget; `data`: media bytes. */
export type NatsChannelKind = 'request' | 'event' | 'command' | 'data';

type MessageClass = new () => object;

export interface NatsChannel {
  /** The subject; `{name}` marks a parameter (one token). */
  address: string;
  kind: NatsChannelKind;
  summary: string;
  publishedBy: readonly NatsService[];
  receivedBy: readonly NatsService[];
  /** The class whose validation rules describe the payload; `bytes` for media. */
  payload: MessageClass | 'bytes';
  queueGroup?: string;
  /** Other programs may subscribe (the `events` NATS user, ADR 0032). */
  public?: boolean;
  /** Carried by a JetStream stream (kept, acknowledged) instead of core NATS. */
  stream?: string;
  parameters?: Readonly<Record<string, string>>;
}

type SubjectChannel = Omit<NatsChannel, 'address' | 'payload'>;

const CATALOG_QUERY = {
  kind: 'request',
  publishedBy: ['gateway'],
  receivedBy: ['catalog'],
  queueGroup: 'catalog',
} as const;

const SUBJECTS: { [S in SubjectName]: SubjectChannel } = {
  'catalog.get.meta': { ...CATALOG_QUERY, summary: 'Snapshot version, age, counts and refresh state.' },
  'catalog.get.channels': { ...CATALOG_QUERY, summary: 'A page of channels, optionally of one bouquet.' },
  'catalog.get.epg': { ...CATALOG_QUERY, summary: 'Programmes of some channels in a time window.' },
  'catalog.get.search': { ...CATALOG_QUERY, summary: 'Programmes whose title or text match a query.' },
  'catalog.get.now-next': { ...CATALOG_QUERY, summary: 'What is on now and next on each channel.' },
  'catalog.cmd.refresh': {
    ...CATALOG_QUERY,
    summary: 'Start a refresh, or join the one running (answered with its id).',
  },
  'catalog.evt.refreshed': {
    kind: 'event',
    summary: 'A refresh stored a snapshot (`partial: true` for steps while the first full EPG loads).',
    publishedBy: ['catalog'],
    receivedBy: ['catalog', 'gateway', 'transcoder'],
    public: true,
  },
  'catalog.evt.refresh-failed': {
    kind: 'event',
    summary: 'A refresh failed; the previous snapshot is still served (`stale` says whether it is old).',
    publishedBy: ['catalog'],
    receivedBy: ['catalog', 'gateway', 'transcoder'],
    public: true,
  },
  'transcoder.cmd.session.open': {
    kind: 'request',
    summary:
      'Open or join the live session of a channel and profile; answered with the session and its delivery.',
    publishedBy: ['gateway'],
    receivedBy: ['transcoder'],
    queueGroup: 'transcoder',
  },
  'transcoder.cmd.session.touch': {
    kind: 'command',
    summary: "A gateway's viewer count of a session (every few seconds while someone watches).",
    publishedBy: ['gateway'],
    receivedBy: ['transcoder'],
  },
  'transcoder.cmd.session.close': {
    kind: 'command',
    summary: 'Stop a session now, whoever watches it (admin).',
    publishedBy: ['gateway'],
    receivedBy: ['transcoder'],
  },
  'transcoder.evt.session.closed': {
    kind: 'event',
    summary: 'A live session ended, with the reason.',
    publishedBy: ['transcoder'],
    receivedBy: ['gateway'],
    public: true,
  },
  'transcoder.evt.session.segment': {
    kind: 'event',
    summary: 'An HLS segment of a session was stored and listed.',
    publishedBy: ['transcoder'],
    receivedBy: ['gateway'],
    public: true,
  },
};

const JOB_ID = 'A job id, `job_` and 26 Crockford base32 characters.';

const PATTERNS: readonly NatsChannel[] = [
  {
    address: 'jobs.evt.{jobId}.{state}',
    kind: 'event',
    summary: "A job's state changed (kept in the JOB_EVENTS stream for the retention time).",
    publishedBy: ['gateway', 'transcoder'],
    receivedBy: ['gateway'],
    payload: JobTransitionEventMessage,
    public: true,
    stream: 'JOB_EVENTS',
    parameters: { jobId: JOB_ID, state: 'The state it changed to.' },
  },
  {
    address: 'jobs.progress.{jobId}',
    kind: 'event',
    summary: 'Progress of a running job, about once a second (not kept).',
    publishedBy: ['transcoder'],
    receivedBy: ['gateway'],
    payload: JobProgressEventMessage,
    public: true,
    parameters: { jobId: JOB_ID },
  },
  {
    address: 'jobs.dispatch.{pool}.{class}',
    kind: 'command',
    summary: 'The work queue (JOBS stream): one message per attempt, taken by one worker of the pool.',
    publishedBy: ['gateway'],
    receivedBy: ['transcoder'],
    payload: JobDispatchQueueMessage,
    stream: 'JOBS',
    parameters: { pool: 'The capability pool (`cpu`, …).', class: 'The job class (`interactive`, `batch`).' },
  },
  {
    address: 'jobs.doorbell.{pool}',
    kind: 'command',
    summary: 'Rung after an enqueue: idle workers of the pool pull at once.',
    publishedBy: ['gateway'],
    receivedBy: ['transcoder'],
    payload: EmptyMessage,
    parameters: { pool: 'The capability pool.' },
  },
  {
    address: 'jobs.control.{jobId}',
    kind: 'command',
    summary: 'Stop the running attempt of a job now (cancelled; the record says why).',
    publishedBy: ['gateway'],
    receivedBy: ['transcoder'],
    payload: JobControlCommandMessage,
    parameters: { jobId: JOB_ID },
  },
  {
    address: 'jobs.dlq.{jobId}',
    kind: 'event',
    summary: 'A queue message reached its delivery limit (JOBS_DLQ stream); its job failed.',
    publishedBy: ['transcoder'],
    receivedBy: [],
    payload: JobDeadLetterMessage,
    stream: 'JOBS_DLQ',
    parameters: { jobId: JOB_ID },
  },
  {
    address: 'stream.data.{sessionId}',
    kind: 'data',
    summary: `MPEG-TS of a live session in chunks; header \`${STREAM_KEY_HEADER}: 1\` on a chunk that starts with PAT, PMT and a keyframe; an empty message ends the stream.`,
    publishedBy: ['transcoder'],
    receivedBy: ['gateway'],
    payload: 'bytes',
    parameters: { sessionId: 'The live session.' },
  },
  {
    address: 'transcoder.node.{nodeId}.session.open',
    kind: 'request',
    summary: 'A full node hands a session open to a node with room.',
    publishedBy: ['transcoder'],
    receivedBy: ['transcoder'],
    payload: TranscoderSessionOpenRequest,
    parameters: { nodeId: 'The transcoder node (its `nodes` KV key).' },
  },
  {
    address: 'transcoder.node.{nodeId}.ping',
    kind: 'request',
    summary: 'Whether a node still runs (a dead node has no subscription: "no responders" at once).',
    publishedBy: ['transcoder'],
    receivedBy: ['transcoder'],
    payload: EmptyMessage,
    parameters: { nodeId: 'The transcoder node.' },
  },
];

function payloadOf(subject: SubjectName): MessageClass {
  return (
    (RequestClass as Record<string, MessageClass>)[subject] ??
    (EventClass as Record<string, MessageClass>)[subject]!
  );
}

/** Every channel: the registry's subjects first, then those with parameters. */
export const NATS_CHANNELS: readonly NatsChannel[] = [
  ...(Object.entries(SUBJECTS) as [SubjectName, SubjectChannel][]).map(([address, channel]) => ({
    address,
    ...channel,
    payload: payloadOf(address),
  })),
  ...PATTERNS,
];
