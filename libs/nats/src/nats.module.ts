import { type DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { NatsClientService } from './nats-client.service.js';
import { NatsConnectionService } from './nats-connection.service.js';
import { NATS_OPTIONS, type NatsModuleOptions } from './nats-options.js';
import { provisionBuckets } from './provisioning.js';

/** One NATS connection per process, the typed client, and idempotent JetStream provisioning at start. */
@Global()
@Module({})
export class NatsModule implements OnModuleInit {
  constructor(
    private readonly nats: NatsConnectionService,
    @Inject(NATS_OPTIONS) private readonly options: NatsModuleOptions,
  ) {}

  static forRoot(options: NatsModuleOptions): DynamicModule {
    return {
      module: NatsModule,
      providers: [{ provide: NATS_OPTIONS, useValue: options }, NatsConnectionService, NatsClientService],
      exports: [NatsConnectionService, NatsClientService],
    };
  }

  async onModuleInit(): Promise<void> {
    if (!this.options.buckets?.length) return;
    await provisionBuckets(await this.nats.kvm(), await this.nats.objm(), this.options.buckets);
  }
}
