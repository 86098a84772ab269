import { type DynamicModule, Global, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { errorMessage } from '@e2gate/contracts';
import { NatsClientService } from './nats-client.service.js';
import { NatsConnectionService } from './nats-connection.service.js';
import { NATS_OPTIONS, type NatsModuleOptions, type StorageSpec } from './nats-options.js';
import { provisionStorage } from './provisioning.js';

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

  /**
   * Creates the buckets and streams at start, and again after every reconnect (a restarted server may have lost its
   * store).
   */
  async onModuleInit(): Promise<void> {
    const storage = this.options.storage;
    if (!storage?.length) return;
    await this.provision(storage);
    this.nats.onReconnect(() => {
      void this.provision(storage).catch((error: unknown) =>
        this.logger.warn(`JetStream storage not provisioned after the reconnect: ${errorMessage(error)}`),
      );
    });
  }

  private async provision(storage: readonly StorageSpec[]): Promise<void> {
    const managers = { kvm: await this.nats.kvm(), objm: await this.nats.objm(), jsm: await this.nats.jsm() };
    const replicas = this.options.link.natsReplicas ?? 1;
    for (const conflict of await provisionStorage(managers, storage, { replicas })) {
      this.logger.warn(
        `stream ${conflict.stream} exists with other settings and is left as it is: ${conflict.differences.join('; ')}`,
      );
    }
  }
}
