#!/usr/bin/env node
/** CLI: `npm run receiver-sim -- --port 8080 …` starts a simulated receiver until SIGINT/SIGTERM. */
import { CliError, USAGE, parseCliArgs } from './cli-args.js';
import { prepareFixtures } from './fixtures.js';
import { startReceiverSim } from './sim.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`receiver-sim: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (config.help) {
    console.log(USAGE);
    return;
  }
  const log = (line: string): void => console.error(`[receiver-sim] ${line}`);
  const sim = await startReceiverSim({ ...config.options, log });
  const counted = sim.dataset.channels.filter((channel) => channel.counted).length;
  console.log('==================================================================');
  console.log(' DEMO RECEIVER — simulated Enigma2/OpenWebIF box, not a real one');
  console.log('==================================================================');
  console.log(`web (OpenWebIF)  ${sim.url}`);
  console.log(`stream server    ${sim.streamUrl}`);
  console.log(`stream relay     ${sim.relayUrl}`);
  console.log(`control          ${sim.controlUrl}/_sim/stats  (POST /_sim/faults)`);
  const tvBouquets = sim.dataset.bouquets.filter((bouquet) => bouquet.kind === 'tv').length;
  console.log(
    `dataset          ${tvBouquets} TV bouquets + radio, ${counted} TV channels, seed ${sim.dataset.seed}`,
  );
  if (config.prepareFixtures) {
    prepareFixtures(config.options.fixtureDir).then(
      () => log('stream fixtures ready'),
      (error: unknown) => log(`stream fixtures unavailable: ${(error as Error).message}`),
    );
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`receiver-sim: ${(error as Error).message}`);
  process.exit(1);
});
