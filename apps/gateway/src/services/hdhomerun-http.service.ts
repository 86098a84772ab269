import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { hasScope, type Principal } from '../auth/principal.js';
import {
  deviceXml,
  discoverDocument,
  lineupStatusDocument,
  type DiscoverDocument,
  type LineupStatusDocument,
} from '../hdhomerun/hdhomerun-documents.js';
import { baseUrlOf } from '../http/base-url.js';
import { sendRendered } from '../http/conditional.js';
import { CredentialsService } from './credentials.service.js';
import { DocumentsService } from './documents.service.js';
import { HdhomerunService } from './hdhomerun.service.js';

/** The HDHomeRun HTTP answers, shared by the plain routes and the `/hdhr/<device key>/` ones. */
@Injectable()
export class HdhomerunHttpService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly hdhomerun: HdhomerunService,
    private readonly documents: DocumentsService,
    private readonly credentials: CredentialsService,
  ) {}

  discover(request: FastifyRequest): DiscoverDocument {
    return discoverDocument(this.hdhomerun.device(), this.deviceBase(request));
  }

  async lineup(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const rendered = await this.documents.lineup({
      baseUrl: baseUrlOf(this.config, request),
      signStreams: hasScope(request.principal, 'stream'),
    });
    return sendRendered(request, reply, rendered);
  }

  lineupStatus(): LineupStatusDocument {
    return lineupStatusDocument();
  }

  device(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const xml = deviceXml(this.hdhomerun.device(), this.deviceBase(request));
    return reply.header('content-type', 'application/xml; charset=utf-8').send(xml);
  }

  /** BaseURL carries the device key for callers that may stream, so clients keep access without headers. */
  private deviceBase(request: FastifyRequest): string {
    const base = baseUrlOf(this.config, request);
    return carriesKey(request.principal) ? `${base}/hdhr/${this.credentials.signer.deviceKey()}` : base;
  }
}

function carriesKey(principal: Principal | undefined): boolean {
  if (!principal || principal.kind === 'anonymous' || principal.kind === 'signed-url') return false;
  return hasScope(principal, 'stream');
}
