import type { z } from 'zod';
import type { ReceiverEvent, ServiceInfo, ServiceListing } from './models.js';
import type { epgEvent, serviceEntry } from './schemas.js';
import { classifyRef, embeddedUrl, isRelayRef, parseServiceRef } from './service-ref.js';
import { cleanEpgText, cleanName } from './text.js';

/** Bouquet entries → playable services; markers, hidden entries, sub-bouquets and invalid refs are counted. */
export function toServiceListing(entries: z.output<typeof serviceEntry>[]): ServiceListing {
  const listing: ServiceListing = {
    services: [],
    skipped: { markers: 0, hidden: 0, directories: 0, invalid: 0, recordings: 0 },
  };
  for (const entry of entries) {
    const raw = entry.servicereference.trim();
    const parsed = parseServiceRef(raw);
    const kind = classifyRef(parsed);
    switch (kind) {
      case 'marker':
        listing.skipped.markers++;
        break;
      case 'hidden':
        listing.skipped.hidden++;
        break;
      case 'directory':
        listing.skipped.directories++;
        break;
      case 'invalid':
        listing.skipped.invalid++;
        break;
      case 'recording':
        listing.skipped.recordings++;
        break;
      case 'dvb':
      case 'iptv':
      case 'alternatives': {
        if (!parsed) break;
        const iptvUrl = kind === 'iptv' ? embeddedUrl(parsed) : undefined;
        const name = cleanName(entry.servicename) || cleanName(parsed.name) || parsed.normalized;
        const service: ServiceInfo = {
          ref: kind === 'dvb' ? parsed.normalized : raw,
          parsed,
          kind,
          name,
          relay: entry.streamrelay === true || isRelayRef(parsed),
          ...(entry.pos === undefined ? {} : { pos: entry.pos }),
          ...(entry.lcn === undefined || entry.lcn <= 0 ? {} : { lcn: entry.lcn }),
          ...(entry.provider ? { provider: cleanName(entry.provider) } : {}),
          ...(iptvUrl === undefined ? {} : { iptvUrl }),
        };
        listing.services.push(service);
        break;
      }
    }
  }
  return listing;
}

/** An EPG entry → event; null for dummy entries (no id or no start). */
export function toReceiverEvent(event: z.output<typeof epgEvent>): ReceiverEvent | null {
  if (event.id === undefined || event.begin_timestamp === undefined || event.begin_timestamp <= 0)
    return null;
  const durationSec = event.duration_sec ?? (event.duration === undefined ? 0 : event.duration * 60);
  return {
    id: event.id,
    begin: event.begin_timestamp,
    durationSec,
    title: cleanEpgText(event.title),
    shortDescription: cleanEpgText(event.shortdesc ?? ''),
    longDescription: cleanEpgText(event.longdesc ?? ''),
    genre: cleanEpgText(event.genre ?? ''),
    ...(event.genreid === undefined ? {} : { genreId: event.genreid }),
    ...(event.sref ? { ref: event.sref.trim() } : {}),
  };
}
