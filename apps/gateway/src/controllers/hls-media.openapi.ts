import type { ContentObject, OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { ERROR_DESCRIPTIONS } from '../http/openapi-decorators.js';
import {
  HLS_MEDIA_PARAM_PATTERNS,
  HLS_PLAYLIST_ROUTE,
  HLS_PLAYLIST_TYPE,
  HLS_SEGMENT_ROUTE,
} from './hls-media.routes.js';

const EXAMPLES: Partial<Record<keyof typeof HLS_MEDIA_PARAM_PATTERNS, string>> = {
  playlist: 'v.m3u8',
  rendition: 'a0',
  segment: '42.ts',
};

/** The OpenAPI operations of the plain Fastify HLS media routes (Nest's document builder sees controllers only). */
export function withHlsMediaRoutes(document: OpenAPIObject): OpenAPIObject {
  document.paths[openApiPath(HLS_PLAYLIST_ROUTE)] = {
    get: operation(
      'Hls_playlist',
      'Media playlist of one rendition (link written into the multivariant playlist)',
      HLS_PLAYLIST_ROUTE,
      { [HLS_PLAYLIST_TYPE]: { schema: { type: 'string' } } },
    ),
  };
  document.paths[openApiPath(HLS_SEGMENT_ROUTE)] = {
    get: operation(
      'Hls_segment',
      'One segment of one rendition (link written into its media playlist)',
      HLS_SEGMENT_ROUTE,
      { 'video/mp2t': { schema: { type: 'string', format: 'binary' } } },
    ),
  };
  return document;
}

function operation(
  operationId: string,
  summary: string,
  route: string,
  content: ContentObject,
): OperationObject {
  const errors = Object.fromEntries(
    [400, 401, 404, 503].map((status) => [
      String(status),
      {
        description: ERROR_DESCRIPTIONS[status]!,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } },
      },
    ]),
  );
  return {
    operationId,
    summary,
    tags: ['streams'],
    parameters: paramNames(route).map((name) => ({
      name,
      required: true,
      in: 'path' as const,
      schema: {
        type: 'string' as const,
        pattern: HLS_MEDIA_PARAM_PATTERNS[name],
        ...(EXAMPLES[name] ? { example: EXAMPLES[name] } : {}),
      },
    })),
    responses: { '200': { description: '', content }, ...errors },
  };
}

function paramNames(route: string): (keyof typeof HLS_MEDIA_PARAM_PATTERNS)[] {
  return [...route.matchAll(/:(\w+)/g)].map((match) => match[1] as keyof typeof HLS_MEDIA_PARAM_PATTERNS);
}

function openApiPath(route: string): string {
  return route.replace(/:(\w+)/g, '{$1}');
}
