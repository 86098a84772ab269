import { type DynamicModule, Global, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
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

  private readonly logger = new Logger(NatsModule.name);

  /** Creates the buckets at start, and again after every reconnect (a restarted server may have lost its store). */
  async onModuleInit(): Promise<void> {
    const buckets = this.options.buckets;
    if (!buckets?.length) return;
    await provisionBuckets(await this.nats.kvm(), await this.nats.objm(), buckets);
    this.nats.onReconnect(() => {
      void (async () => provisionBuckets(await this.nats.kvm(), await this.nats.objm(), buckets))().catch(
        (error: unknown) =>
          this.logger.warn(`buckets not provisioned after the reconnect: ${(error as Error).message}`),
      );
    });
  }
}
