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

export const movieListResponse = z
  .object({
    movies: z.array(movieEntry),
    bookmarks: z.array(textLike).max(1_000).optional().catch(undefined),
    directory: z.unknown().optional(),
  })
  .loose();

export const locationsResponse = z
  .object({
    locations: z.array(textLike).max(100).optional().catch(undefined),
    default: textLike.optional().catch(undefined),
  })
  .loose();
