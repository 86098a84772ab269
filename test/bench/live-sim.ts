/**
 * The receiver simulator of `npm run bench:live`, in a process of its own: its CPU (it serves every receiver stream,
 * one per ffmpeg viewer in the baseline) is then measured apart from the stack under test and from the bench's
 * clients, and its event loop does not compete with theirs. Started by live.bench.ts with the simulator options as
 * JSON in argv[2]; prints one JSON line (URLs and the dataset's channels) once the fixtures are loaded, and closes
 * on SIGTERM.
 */
import { prepareFixtures, startReceiverSim, type ReceiverSimOptions } from '../receiver-sim/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as ReceiverSimOptions;
// Every fixture generated and analysed before the first stream, so no open waits for ffmpeg or the analysis.
await prepareFixtures();
const sim = await startReceiverSim(options);
console.log(
  JSON.stringify({
    url: sim.url,
    controlUrl: sim.controlUrl,
    channels: sim.dataset.channels.map((channel) => ({
      ref: channel.ref,
      name: channel.name,
      sid: channel.sid,
      kind: channel.kind,
      counted: channel.counted,
      encrypted: channel.encrypted,
      fixture: channel.fixture,
      transponder: channel.transponder,
    })),
  }),
);
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
