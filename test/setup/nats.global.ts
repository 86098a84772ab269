import type { TestProject } from 'vitest/node';
import { startNatsServer } from '../support/nats-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
  }
}

/** One real nats-server with JetStream per test run; tests isolate themselves with unique bucket names. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startNatsServer();
  project.provide('natsUrl', server.url);
  return () => server.stop();
}
