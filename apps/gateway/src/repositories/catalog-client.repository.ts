import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { Subject, type ReplyOf, type RequestOf } from '@e2gate/contracts';
import { NatsClientService } from '@e2gate/nats';

type CatalogSubject =
  | typeof Subject.CatalogGetMeta
  | typeof Subject.CatalogGetChannels
  | typeof Subject.CatalogGetEpg
  | typeof Subject.CatalogGetSearch
  | typeof Subject.CatalogGetNowNext
  | typeof Subject.CatalogCmdRefresh;

/** The catalog's NATS queries and commands, with the gateway's timeout and the request id as correlation id. */
@Injectable()
export class CatalogClientRepository {
  constructor(
    private readonly client: NatsClientService,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  request<S extends CatalogSubject>(
    subject: S,
    payload: RequestOf<S>,
    requestId: string,
  ): Promise<ReplyOf<S>> {
    return this.client.request(subject, payload, {
      timeoutMs: this.config.catalogTimeoutMs,
      correlationId: requestId,
    });
  }
}
