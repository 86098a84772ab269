import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, isValidHdhrDeviceId, type GatewayConfig } from '@e2gate/config';
import { randomDeviceAuth, randomDeviceId } from '../hdhomerun/device-identity.js';
import type { HdhrDevice } from '../hdhomerun/hdhomerun-documents.js';
import { SecretsRepository } from '../repositories/secrets.repository.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';

export const DEVICE_FILE = 'hdhomerun-device';
const FALLBACK_TUNERS = 2;

/** The emulated tuner's identity: a checksum-valid DeviceID generated once and kept in the data dir. */
@Injectable()
export class HdhomerunService implements OnModuleInit {
  private readonly logger = new Logger(HdhomerunService.name);
  private identity: { deviceId: string; deviceAuth: string } | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly secrets: SecretsRepository,
    private readonly follower: SnapshotFollowerService,
  ) {}

  async onModuleInit(): Promise<void> {
    const stored = await this.secrets.readOrCreate(DEVICE_FILE, () => {
      const random = (size: number) => this.secrets.randomBytes(size);
      return `${randomDeviceId(random)} ${randomDeviceAuth(random)}`;
    });
    const [storedId = '', deviceAuth = ''] = stored.value.split(/\s+/);
    if (!isValidHdhrDeviceId(storedId) || deviceAuth.length === 0) {
      throw new Error(
        `${stored.path} does not hold a valid "<DeviceID> <DeviceAuth>"; delete it to regenerate`,
      );
    }
    const deviceId = this.config.hdhomerun.deviceId ?? storedId;
    this.identity = { deviceId, deviceAuth };
    if (stored.created) this.logger.log(`generated HDHomeRun DeviceID ${deviceId}`);
  }

  device(): HdhrDevice {
    if (!this.identity) throw new Error('HDHomeRun identity not initialised');
    return {
      ...this.identity,
      friendlyName: this.config.hdhomerun.friendlyName,
      tunerCount: this.tunerCount(),
    };
  }

  /** Configured, else the receiver's tuners as the catalog saw them, else 2. */
  tunerCount(): number {
    if (this.config.hdhomerun.tunerCount > 0) return this.config.hdhomerun.tunerCount;
    const tuners = this.follower.current?.snapshot.receiver.tuners ?? 0;
    return tuners > 0 ? tuners : FALLBACK_TUNERS;
  }
}
