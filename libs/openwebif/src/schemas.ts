import { z } from 'zod';
import { boolLike, intLike, textLike } from './coerce.js';

/** Shapes of the OpenWebIF JSON responses we rely on; unknown fields are ignored. */

export const resultEnvelope = z.object({ result: boolLike, message: z.unknown().optional() }).loose();

export const aboutResponse = z
  .object({
    info: z
      .object({
        brand: textLike.optional(),
        model: textLike.optional(),
        boxtype: textLike.optional(),
        imagedistro: textLike.optional(),
        imagever: textLike.optional(),
        enigmaver: textLike.optional(),
        webifver: textLike.optional(),
        tuners: z
          .array(z.object({ name: textLike.optional(), type: textLike.optional() }).loose())
          .optional(),
        transcoding: boolLike,
      })
      .loose(),
  })
  .loose();

export const statusInfoResponse = z
  .object({
    inStandby: boolLike,
    isRecording: boolLike,
    isStreaming: boolLike,
    currservice_serviceref: textLike.optional(),
    currservice_name: textLike.optional(),
  })
  .loose();

export const bouquetsResponse = z
  .object({ bouquets: z.array(z.tuple([z.string(), textLike]).rest(z.unknown())) })
  .loose();

export const serviceEntry = z
  .object({
    servicereference: z.string(),
    servicename: textLike,
    pos: intLike,
    program: intLike,
    startpos: intLike,
    lcn: intLike,
    picon: textLike.optional(),
    provider: textLike.optional(),
    streamrelay: boolLike,
  })
  .loose();

export const servicesResponse = z.object({ services: z.array(serviceEntry) }).loose();

export const allServicesResponse = z
  .object({
    services: z.array(
      z
        .object({
          servicereference: z.string(),
          servicename: textLike,
          subservices: z.array(serviceEntry).optional(),
        })
        .loose(),
    ),
  })
  .loose();

export const epgEvent = z
  .object({
    id: intLike,
    begin_timestamp: intLike,
    duration_sec: intLike,
    duration: intLike,
    title: textLike,
    shortdesc: textLike.optional(),
    longdesc: textLike.optional(),
    genre: textLike.optional(),
    genreid: intLike,
    sref: textLike.optional(),
  })
  .loose();

export const epgResponse = z.object({ events: z.array(epgEvent) }).loose();

export const movieEntry = z
  .object({
    filename: textLike,
    serviceref: textLike.optional(),
    eventname: textLike.optional(),
    servicename: textLike.optional(),
    description: textLike.optional(),
    recordingtime: intLike,
    filesize: intLike,
    length: textLike.optional(),
  })
  .loose();

/**
 * Subdirectory names of a movie list's `bookmarks`, which images send as a list of strings, a list of objects, one
 * object, or `""` (openwebif.md §8): strings, and an object's first string field among `name`, `bookmark`,
 * `dirname`, are kept; anything else is dropped. At most 1,000.
 */
function bookmarkNames(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  const names: string[] = [];
  for (const item of items.slice(0, 1_000)) {
    if (typeof item === 'string') names.push(item);
    else if (item && typeof item === 'object') {
      const fields = item as Record<string, unknown>;
      const name = ['name', 'bookmark', 'dirname']
        .map((key) => fields[key])
        .find((v) => typeof v === 'string');
      if (typeof name === 'string') names.push(name);
    }
  }
  return names.filter((name) => name.trim() !== '');
}

export const movieListResponse = z
  .object({
    movies: z.array(movieEntry),
    bookmarks: z.unknown().optional().transform(bookmarkNames),
    directory: z.unknown().optional(),
  })
  .loose();

export const locationsResponse = z
  .object({
    locations: z.array(textLike).max(100).optional().catch(undefined),
    default: textLike.optional().catch(undefined),
  })
  .loose();
