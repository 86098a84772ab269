/**
 * Enigma2/OpenWebIF receiver simulator: a standalone, independent implementation of the box's web API, stream
 * server and stream relay (shared/reference/openwebif.md), for tests, benchmarks and the demo.
 * Imports nothing from libs/ or apps/: it is the oracle the client is tested against.
 */
export { startReceiverSim, type ReceiverSim, type ReceiverSimOptions } from './sim.js';
export { DEFAULT_FAULTS, FaultsError, type SimFaults } from './faults.js';
export type { SimOutcome, SimStats } from './stats.js';
export type {
  FixtureName,
  PiconVia,
  SimBouquet,
  SimChannel,
  SimDataset,
  SimEntry,
  SimEntryKind,
} from './model.js';
export { generateDataset, DatasetOptionsError, type DatasetOptions } from './dataset.js';
export { indexFor, type DatasetIndex } from './lookup.js';
export { epgEventsFor, epgWindow, type EpgQuery, type SimEpgEvent } from './epg.js';
export { clientVisibleText, htmlEscape } from './text.js';
export { piconCandidates, resolvePicon, serviceKey, snpName } from './refs.js';
export { prepareFixtures, defaultFixtureDir } from './fixtures.js';
