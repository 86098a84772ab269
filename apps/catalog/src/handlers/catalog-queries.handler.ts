import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CatalogGetChannelsRequest,
  CatalogGetEpgRequest,
  CatalogNowNextRequest,
  CatalogSearchRequest,
  Subject,
} from '@e2gate/contracts';
import { CatalogQueryService } from '../services/catalog-query.service.js';

/** `catalog.get.*` request handlers. */
@Controller()
export class CatalogQueriesHandler {
  constructor(private readonly queries: CatalogQueryService) {}

  @MessagePattern(Subject.CatalogGetMeta)
  meta() {
    return this.queries.meta();
  }

  @MessagePattern(Subject.CatalogGetChannels)
  channels(@Payload() request: CatalogGetChannelsRequest) {
    return this.queries.channels(request);
  }

  @MessagePattern(Subject.CatalogGetEpg)
  epg(@Payload() request: CatalogGetEpgRequest) {
    return this.queries.epg(request);
  }

  @MessagePattern(Subject.CatalogGetSearch)
  search(@Payload() request: CatalogSearchRequest) {
    return this.queries.search(request);
  }

  @MessagePattern(Subject.CatalogGetNowNext)
  nowNext(@Payload() request: CatalogNowNextRequest) {
    return this.queries.nowNext(request);
  }
}
