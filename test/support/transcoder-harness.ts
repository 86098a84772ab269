import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadTranscoderConfig } from '@e2gate/config';
import { startTranscoderApp } from '../../apps/transcoder/src/transcoder.app.js';
import { UpstreamRepository } from '../../apps/transcoder/src/repositories/upstream.repository.js';
import { NodeRegistryService } from '../../apps/transcoder/src/services/node-registry.service.js';
import { natsEnv } from './nats-server.js';

export interface TranscoderUnderTest {
  app: NestFastifyApplication;
  url: string;
  nodeId: string;
  /** Receiver stream connections this node holds open now. */
  upstreams(): number;
  close(): Promise<void>;
}

/** Starts the real transcoder app in-process, as `node dist/apps/transcoder/src/main.js` would. */
export async function startTranscoder(options: {
  natsUrl: string;
  receiverUrl: string;
  env?: Record<string, string>;
}): Promise<TranscoderUnderTest> {
  const config = loadTranscoderConfig({
    ...natsEnv(options.natsUrl, 'transcoder'),
    E2GATE_RECEIVER_URL: options.receiverUrl,
    E2GATE_TRANSCODER_HTTP_HOST: '127.0.0.1',
    E2GATE_TRANSCODER_HTTP_PORT: '0',
    E2GATE_NODE_HEARTBEAT: '500ms',
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const app = await startTranscoderApp(config);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const upstream = app.get(UpstreamRepository);
  return {
    app,
    url,
    nodeId: app.get(NodeRegistryService).nodeId,
    upstreams: () => upstream.active,
    close: () => app.close(),
  };
}
