import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { appVersion } from '@e2gate/observability';
import { withHlsMediaRoutes } from './controllers/hls-media.openapi.js';
import { SecurityScheme } from './http/openapi-decorators.js';

export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = 'docs';

const DESCRIPTION = `The e2gate edge gateway: playlists, XMLTV guide, HDHomeRun emulation, picons, streams and the catalog API.

Authentication: \`Authorization: Bearer <token>\` everywhere; on routes players open by URL also \`?token=\`, and the
signed URLs (\`?sig=…&exp=…\`) the gateway writes into playlists. The web app signs in at \`/api/v1/auth/session\` and
then sends the \`e2gate_session\` cookie, which every route accepts; with the cookie, POST and DELETE need the
session's \`X-CSRF-Token\` header. Errors are \`{code, message, requestId}\`.`;

/** The OpenAPI document of the running app (routes, schemas, examples, security schemes). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('e2gate gateway')
    .setVersion(appVersion())
    .setDescription(DESCRIPTION)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'API token from E2GATE_API_TOKENS (or the generated admin token)',
      },
      SecurityScheme.Bearer,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: 'token',
        description: 'API token as a query parameter (player routes only)',
      },
      SecurityScheme.QueryToken,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: 'sig',
        description:
          'URL signature written by the gateway into playlists, guides and lineups (with `exp` if they expire)',
      },
      SecurityScheme.Signature,
    )
    .addCookieAuth(
      'e2gate_session',
      {
        type: 'apiKey',
        in: 'cookie',
        name: 'e2gate_session',
        description:
          'Web app sign-in (POST /api/v1/auth/session); POST/DELETE with it also need the X-CSRF-Token header',
      },
      SecurityScheme.Session,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  return withClosedBodies(withEdgeResponses(withHlsMediaRoutes(document)));
}

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } };

/** Answers any route can give before it is even reached: an over-long URL (414) and, when protected, throttling. */
function withEdgeResponses(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(
      operations as Record<string, { responses?: Record<string, unknown> }>,
    )) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      operation.responses['414'] ??= { description: 'URL too long (URI_TOO_LONG)', content: ERROR_CONTENT };
    }
  }
  return document;
}

type BodyOperation = { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } };

/** Request bodies reject unknown fields (the validation pipe forbids them): their schemas say so. */
function withClosedBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, { additionalProperties?: boolean }>;
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, BodyOperation | undefined>)) {
      const ref = operation?.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref === undefined ? undefined : schemas[ref.replace('#/components/schemas/', '')];
      if (schema) schema.additionalProperties = false;
    }
  }
  return document;
}

/** Serves the document at `/openapi.json` and Swagger UI at `/docs` (public, outside the guards). */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
  });
}
