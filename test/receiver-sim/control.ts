/**
 * The control endpoint (`/_sim/*`), served on the web port and on its own control port (which stays up while
 * the "receiver" is offline). It bypasses auth and faults: it is test machinery, not part of the box.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimFaults } from './faults.js';
import type { SimDataset } from './model.js';
import type { SimStats } from './stats.js';

export interface SimControl {
  faults(): Readonly<SimFaults>;
  setFaults(patch: unknown): Promise<void>;
  resetFaults(): Promise<void>;
  stats(): SimStats;
  resetStats(): void;
  dataset: SimDataset;
}

const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 1);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function datasetSummary(dataset: SimDataset): unknown {
  return {
    seed: dataset.seed,
    epgDays: dataset.epgDays,
    tuners: dataset.tuners,
    bouquets: dataset.bouquets.map((bouquet) => ({
      ref: bouquet.ref,
      name: bouquet.name,
      kind: bouquet.kind,
      entries: bouquet.entries.length,
      channels: bouquet.entries.filter((entry) => entry.kind === 'channel').length,
    })),
    channels: dataset.channels.filter((channel) => channel.counted).length,
    services: dataset.channels.length,
  };
}

/** Handles `/_sim/*`; returns false for any other path. */
export async function handleControl(
  control: SimControl,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (!path.startsWith('/_sim/')) return false;
  const route = `${req.method ?? 'GET'} ${path}`;
  try {
    switch (route) {
      case 'GET /_sim/faults':
        send(res, 200, control.faults());
        break;
      case 'POST /_sim/faults':
      case 'PATCH /_sim/faults': {
        let patch: unknown;
        try {
          patch = JSON.parse(await readBody(req));
        } catch (error) {
          send(res, 400, {
            code: 'SIM_BAD_JSON',
            message: `body must be a JSON object: ${(error as Error).message}`,
          });
          break;
        }
        await control.setFaults(patch);
        send(res, 200, control.faults());
        break;
      }
      case 'POST /_sim/faults/reset':
        await control.resetFaults();
        send(res, 200, control.faults());
        break;
      case 'GET /_sim/stats':
        send(res, 200, control.stats());
        break;
      case 'POST /_sim/stats/reset':
        control.resetStats();
        send(res, 200, control.stats());
        break;
      case 'GET /_sim/dataset':
        send(res, 200, datasetSummary(control.dataset));
        break;
      default:
        send(res, 404, { code: 'SIM_UNKNOWN_CONTROL', message: `no control route ${route}` });
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    send(res, 400, {
      code: typeof code === 'string' ? code : 'SIM_CONTROL_FAILED',
      message: (error as Error).message,
    });
  }
  return true;
}
