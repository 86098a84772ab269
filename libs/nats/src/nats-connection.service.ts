import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsAuthOptions } from './nats-auth-options.js';
import { NATS_OPTIONS, type NatsModuleOptions } from './nats-options.js';
import { inboxPrefixOf } from './nats-permissions.js';

export type NatsLinkState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

/**
 * The one NATS connection of the process. It reconnects forever; readiness checks read `state`.
 * Everything else (RPC server, typed client, JetStream buckets and streams) uses this connection.
 */
@Injectable()
export class NatsConnectionService implements OnApplicationShutdown {
  private readonly logger = new Logger(NatsConnectionService.name);
  private nc: NatsConnection | null = null;
  private pending: Promise<NatsConnection> | null = null;
  private linkState: NatsLinkState = 'connecting';
  private js: JetStreamClient | null = null;
  private readonly reconnectListeners: (() => void)[] = [];

  constructor(@Inject(NATS_OPTIONS) private readonly options: NatsModuleOptions) {}

  get state(): NatsLinkState {
    return this.linkState;
  }

  /** Known to be down (lost, or closed at shutdown): a request sent now would only wait for its timeout. */
  get isDown(): boolean {
    return (
      this.linkState === 'disconnected' || this.linkState === 'reconnecting' || this.linkState === 'closed'
    );
  }

  /**
   * Runs `listener` after every reconnect. The server may have restarted with an empty store: whoever keeps
   * state in JetStream (buckets, published objects, watches) uses this to put it back or to resume.
   */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /** Connects on first use; concurrent callers share the attempt. */
  async connection(): Promise<NatsConnection> {
    if (this.nc) return this.nc;
    this.pending ??= this.open();
    return this.pending;
  }

  async jetstream(): Promise<JetStreamClient> {
    this.js ??= jetstream(await this.connection());
    return this.js;
  }

  async kvm(): Promise<Kvm> {
    return new Kvm(await this.jetstream());
  }

  async objm(): Promise<Objm> {
    return new Objm(await this.jetstream());
  }

  async jsm(): Promise<JetStreamManager> {
    return (await this.jetstream()).jetstreamManager();
  }

  /** Round trip to the server; rejects when disconnected. */
  async rtt(): Promise<number> {
    return (await this.connection()).rtt();
  }

  async onApplicationShutdown(): Promise<void> {
    const nc = this.nc;
    this.nc = null;
    this.linkState = 'closed';
    if (nc && !nc.isClosed()) {
      await nc.drain().catch(() => nc.close());
    }
  }

  private async open(): Promise<NatsConnection> {
    const { link, role } = this.options;
    const nc = await connect({
      servers: link.natsUrl.split(','),
      name: this.options.name,
      inboxPrefix: inboxPrefixOf(role),
      ...(await natsAuthOptions(link)),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      waitOnFirstConnect: true,
      pingInterval: 20_000,
    });
    this.nc = nc;
    this.linkState = 'connected';
    this.logger.log(`connected to NATS ${nc.getServer()}`);
    void this.watch(nc);
    return nc;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.linkState = 'disconnected';
          this.logger.warn('NATS disconnected');
          break;
        case 'reconnecting':
          this.linkState = 'reconnecting';
          break;
        case 'reconnect':
          this.linkState = 'connected';
          this.logger.log('NATS reconnected');
          for (const listener of this.reconnectListeners) listener();
          break;
        case 'close':
          this.linkState = 'closed';
          break;
        default:
          break;
      }
    }
  }
}
