// Runs inside a worker_threads Worker: loads the addon in the worker's own environment and drives a
// pipeline over the bytes it was given. With `stall`, it reports 'started' and keeps the pipeline busy
// so the parent can terminate the worker mid-stream.
import { parentPort, workerData } from 'node:worker_threads';
import { LivePipeline } from '../../index.js';

const { input, stall } = workerData;
const bytes = Buffer.from(input);
const segments = [];
const pipeline = new LivePipeline({ output: 'hls' }, (output) => {
  if (output.kind === 'segment')
    segments.push({ sequence: output.sequence, duration: output.duration, size: output.data.length });
  if (stall) return new Promise(() => undefined);
  return undefined;
});
const chunk = 64 * 1024;
for (let offset = 0; offset < bytes.length; offset += chunk) {
  while (!pipeline.push(bytes.subarray(offset, offset + chunk))) {
    if (stall) {
      parentPort.postMessage({ started: true });
      await new Promise(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
const stats = await pipeline.close();
parentPort.postMessage({ segments, stats });
