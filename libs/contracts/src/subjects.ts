import type {
  CatalogChannelsReply,
  CatalogEpgReply,
  CatalogMetaReply,
  CatalogNowNextReply,
  CatalogRefreshReply,
  CatalogSearchReply,
} from './catalog.js';
import {
  CatalogGetChannelsRequest,
  CatalogGetEpgRequest,
  CatalogGetMetaRequest,
  CatalogNowNextRequest,
  CatalogRefreshCommand,
  CatalogRefreshedEvent,
  CatalogRefreshFailedEvent,
  CatalogSearchRequest,
} from './catalog.js';
import { TranscoderSessionSegmentEvent } from './hls.js';
import type { TranscoderSessionOpenReply } from './transcoder.js';
import {
  TranscoderSessionCloseCommand,
  TranscoderSessionClosedEvent,
  TranscoderSessionOpenRequest,
  TranscoderSessionTouchCommand,
} from './transcoder.js';

/** Every core NATS subject of the system. Code uses these names, never string literals. */
export const Subject = {
  CatalogGetMeta: 'catalog.get.meta',
  CatalogGetChannels: 'catalog.get.channels',
  CatalogGetEpg: 'catalog.get.epg',
  CatalogGetSearch: 'catalog.get.search',
  CatalogGetNowNext: 'catalog.get.now-next',
  CatalogCmdRefresh: 'catalog.cmd.refresh',
  CatalogEvtRefreshed: 'catalog.evt.refreshed',
  CatalogEvtRefreshFailed: 'catalog.evt.refresh-failed',
  TranscoderCmdSessionOpen: 'transcoder.cmd.session.open',
  TranscoderCmdSessionTouch: 'transcoder.cmd.session.touch',
  TranscoderCmdSessionClose: 'transcoder.cmd.session.close',
  TranscoderEvtSessionClosed: 'transcoder.evt.session.closed',
  TranscoderEvtSessionSegment: 'transcoder.evt.session.segment',
} as const;

export type SubjectName = (typeof Subject)[keyof typeof Subject];

/** Request/reply subjects: request class (validated by the handler) and reply type. */
export interface RequestContracts {
  'catalog.get.meta': { request: CatalogGetMetaRequest; reply: CatalogMetaReply };
  'catalog.get.channels': { request: CatalogGetChannelsRequest; reply: CatalogChannelsReply };
  'catalog.get.epg': { request: CatalogGetEpgRequest; reply: CatalogEpgReply };
  'catalog.get.search': { request: CatalogSearchRequest; reply: CatalogSearchReply };
  'catalog.get.now-next': { request: CatalogNowNextRequest; reply: CatalogNowNextReply };
  'catalog.cmd.refresh': { request: CatalogRefreshCommand; reply: CatalogRefreshReply };
  'transcoder.cmd.session.open': { request: TranscoderSessionOpenRequest; reply: TranscoderSessionOpenReply };
}

/**
 * Fire-and-forget subjects and their payload classes: events, and the broadcast commands every transcoder node hears
 * (touch, close; the node running the session acts).
 */
export interface EventContracts {
  'catalog.evt.refreshed': CatalogRefreshedEvent;
  'catalog.evt.refresh-failed': CatalogRefreshFailedEvent;
  'transcoder.cmd.session.touch': TranscoderSessionTouchCommand;
  'transcoder.cmd.session.close': TranscoderSessionCloseCommand;
  'transcoder.evt.session.closed': TranscoderSessionClosedEvent;
  'transcoder.evt.session.segment': TranscoderSessionSegmentEvent;
}

export type RequestSubject = keyof RequestContracts;
export type EventSubject = keyof EventContracts;
export type RequestOf<S extends RequestSubject> = RequestContracts[S]['request'];
export type ReplyOf<S extends RequestSubject> = RequestContracts[S]['reply'];

type Constructor<T> = new () => T;

export const RequestClass: { [S in RequestSubject]: Constructor<RequestOf<S>> } = {
  'catalog.get.meta': CatalogGetMetaRequest,
  'catalog.get.channels': CatalogGetChannelsRequest,
  'catalog.get.epg': CatalogGetEpgRequest,
  'catalog.get.search': CatalogSearchRequest,
  'catalog.get.now-next': CatalogNowNextRequest,
  'catalog.cmd.refresh': CatalogRefreshCommand,
  'transcoder.cmd.session.open': TranscoderSessionOpenRequest,
};

export const EventClass: { [S in EventSubject]: Constructor<EventContracts[S]> } = {
  'catalog.evt.refreshed': CatalogRefreshedEvent,
  'catalog.evt.refresh-failed': CatalogRefreshFailedEvent,
  'transcoder.cmd.session.touch': TranscoderSessionTouchCommand,
  'transcoder.cmd.session.close': TranscoderSessionCloseCommand,
  'transcoder.evt.session.closed': TranscoderSessionClosedEvent,
  'transcoder.evt.session.segment': TranscoderSessionSegmentEvent,
};

/** Queue groups: one member of a group answers each request. */
export const QueueGroup = {
  Catalog: 'catalog',
  Transcoder: 'transcoder',
} as const;
