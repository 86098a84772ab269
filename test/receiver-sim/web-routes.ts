/** `/web/*` endpoints: XML (Enigma2 WebInterface style) and M3U playlists (openwebif.md §3, §4). */
import {
  missingParameter,
  missingParameterMessage,
  type BoxContext,
  type WebReply,
  type WebRequest,
} from './box-context.js';
import { serviceEpg } from './api-epg.js';
import { piconUrl } from './api-services.js';
import { FLAG_GROUP, FLAG_MARKER, RELAY_MARKER, decodeRef, parseRef, relayInnerRef } from './refs.js';
import { convertDesc, filterName, xmlEscape } from './text.js';

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const xml = (text: string): WebReply => ({ kind: 'xml', text });

function simpleXmlResult(state: boolean, text: string): WebReply {
  return xml(
    `${XML_HEAD}<e2simplexmlresult>\n\t<e2state>${state ? 'True' : 'False'}</e2state>\n\t<e2statetext>${xmlEscape(text)}</e2statetext>\n</e2simplexmlresult>\n`,
  );
}

export function webEpgService(ctx: BoxContext, query: URLSearchParams): WebReply {
  const missing = missingParameterMessage(query, 'sRef');
  if (missing !== null) return simpleXmlResult(false, missing);
  const { ref, channel, events } = serviceEpg(ctx, query);
  const nowSec = Math.floor(ctx.now() / 1000);
  const rows = channel
    ? events.map(
        (event) =>
          '\t<e2event>\n' +
          `\t\t<e2eventid>${event.id}</e2eventid>\n` +
          `\t\t<e2eventstart>${event.begin}</e2eventstart>\n` +
          `\t\t<e2eventduration>${event.duration}</e2eventduration>\n` +
          `\t\t<e2eventcurrenttime>${nowSec}</e2eventcurrenttime>\n` +
          `\t\t<e2eventtitle>${xmlEscape(filterName(event.title, false))}</e2eventtitle>\n` +
          `\t\t<e2eventdescription>${xmlEscape(convertDesc(event.shortdesc, false))}</e2eventdescription>\n` +
          `\t\t<e2eventdescriptionextended>${xmlEscape(convertDesc(event.longdesc, false))}</e2eventdescriptionextended>\n` +
          `\t\t<e2eventservicereference>${xmlEscape(ref)}</e2eventservicereference>\n` +
          `\t\t<e2eventservicename>${xmlEscape(filterName(channel.name, false))}</e2eventservicename>\n` +
          `\t\t<e2eventgenre id="${event.genreid}">${xmlEscape(event.genre)}</e2eventgenre>\n` +
          '\t</e2event>\n',
      )
    : [];
  return xml(`${XML_HEAD}<e2eventlist>\n${rows.join('')}</e2eventlist>\n`);
}

export function webGetServices(ctx: BoxContext, query: URLSearchParams): WebReply {
  const sRef = query.get('sRef') ?? '';
  const items =
    sRef === ''
      ? ctx.index.listedBouquets('tv').map((bouquet) => ({ ref: bouquet.ref, name: bouquet.name }))
      : (ctx.index.bouquet(sRef)?.entries ?? []).map((entry) => ({ ref: entry.ref, name: entry.name }));
  const rows = items.map(
    (item) =>
      `\t<e2service>\n\t\t<e2servicereference>${xmlEscape(item.ref)}</e2servicereference>\n` +
      `\t\t<e2servicename>${xmlEscape(item.name)}</e2servicename>\n\t</e2service>\n`,
  );
  return xml(`${XML_HEAD}<e2servicelist>\n${rows.join('')}</e2servicelist>\n`);
}

function sidOf(ref: string): number {
  const sid = Number.parseInt(ref.split(':')[3] ?? '', 16);
  return Number.isFinite(sid) ? sid : 0;
}

/** `/web/stream.m3u?ref=&name=`: trailing spaces, program= SID, the port decided by the box. */
export function streamM3u(ctx: BoxContext, request: WebRequest): WebReply {
  let sref = decodeRef(request.query.get('ref') ?? '');
  if (sref.startsWith(`1:${FLAG_GROUP}:`)) sref = ctx.index.service(sref)?.ref ?? '';
  const name = request.query.get('name');
  let lines = name !== null ? `#EXTINF:-1,${name}\n` : '';
  const ports = ctx.ports();
  const auth = ctx.faults().auth;
  let port = ports.stream;
  let credentials = auth ? `${auth.user}:${auth.password}@` : '';
  const inner = relayInnerRef(sref);
  if (inner !== null || sref.includes(RELAY_MARKER)) {
    sref = inner ?? sref;
    port = ports.relay;
    credentials = '';
  } else if (ctx.index.isRelayed(sref)) {
    port = ports.relay;
    credentials = '';
  }
  if (sref !== '') lines += `#EXTVLCOPT:program=${sidOf(sref)}\n`;
  const body = `#EXTM3U \n#EXTVLCOPT:http-reconnect=true \n${lines}http://${credentials}${request.hostname}:${port}/${sref}\n`;
  const fname = request.query.get('fname');
  return {
    kind: 'text',
    text: body,
    contentType: 'application/vnd.apple.mpegurl',
    ...(fname ? { headers: { 'Content-Disposition': `attachment; filename=${fname}.m3u8;` } } : {}),
  };
}

/** `/web/services.m3u?bRef=`: tvg-chno is the SID, not a channel number (openwebif.md §4). */
export function servicesM3u(ctx: BoxContext, request: WebRequest): WebReply {
  const missing = missingParameter(request.query, 'bRef');
  if (missing) return { kind: 'text', text: 'Missing bRef', contentType: 'text/plain' };
  const bouquet = ctx.index.bouquet(request.query.get('bRef') ?? '');
  const ports = ctx.ports();
  const web = `http://${request.hostname}:${request.headers.host?.split(':')[1] ?? '80'}`;
  const lines = ['#EXTM3U'];
  for (const entry of bouquet?.entries ?? []) {
    if (entry.flags & FLAG_MARKER || entry.kind === 'subbouquet' || entry.kind === 'iptv') continue;
    const ref = relayInnerRef(entry.ref) ?? entry.ref;
    const relayed = ctx.index.isRelayed(ref);
    const parsed = parseRef(ref);
    if (!parsed) continue;
    lines.push(
      `#EXTINF:-1 tvg-chno="${sidOf(ref)}" tvg-id="${ref}" tvg-logo="${web}${piconUrl(ctx, entry.ref, entry.name)}",${entry.name}`,
      `http://${request.hostname}:${relayed ? ports.relay : ports.stream}/${ref}`,
    );
  }
  return { kind: 'text', text: lines.join('\n') + '\n', contentType: 'application/vnd.apple.mpegurl' };
}
