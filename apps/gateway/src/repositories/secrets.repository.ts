import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';

export interface StoredSecret {
  value: string;
  /** True when this call created it (first start). */
  created: boolean;
  path: string;
}

/**
 * Generated secrets of the gateway in `<data dir>/gateway/` (mode 0600): the admin token used when no tokens are
 * configured, the URL signing key, the HDHomeRun identity. Creation is exclusive (`O_EXCL`), so replicas sharing
 * the data dir agree on one value.
 */
@Injectable()
export class SecretsRepository {
  private readonly dir: string;

  constructor(@Inject(APP_CONFIG) config: GatewayConfig) {
    this.dir = join(config.dataDir, 'gateway');
  }

  async readOrCreate(name: string, create: () => string): Promise<StoredSecret> {
    const path = join(this.dir, name);
    const existing = await this.read(path);
    if (existing !== null) return { value: existing, created: false, path };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const value = create();
    try {
      await writeFile(path, value + '\n', { mode: 0o600, flag: 'wx' });
      return { value, created: true, path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const winner = await this.read(path);
      if (winner === null) throw new Error(`${path} exists but is empty`);
      return { value: winner, created: false, path };
    }
  }

  async mode(name: string): Promise<number> {
    return (await stat(join(this.dir, name))).mode & 0o777;
  }

  randomBytes(size: number): Buffer {
    return randomBytes(size);
  }

  private async read(path: string): Promise<string | null> {
    try {
      const text = (await readFile(path, 'utf8')).trim();
      return text.length > 0 ? text : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}
