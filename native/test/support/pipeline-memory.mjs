// Runs in a fresh Node process: one HD pipeline over a fixture file, fed in 64 KiB chunks as fast as it
// takes them, each output consumed (its bytes read) and dropped, as the transcoder does after an upload.
// Prints the process's RSS before the pipeline and its peak (VmHWM) afterwards, in MiB, as JSON.
import { readFileSync } from 'node:fs';
import { LivePipeline } from '../../index.js';

const [file, output] = process.argv.slice(2);
const statusMiB = (field) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const input = readFileSync(file);
const before = statusMiB('VmRSS');
let wake;
let checksum = 0;
const pipeline = new LivePipeline({ output, segmentDuration: 2 }, (out) => {
  if (out.kind === 'drain') wake?.();
  if (out.data) checksum = (checksum + out.data[out.data.length - 1]) & 0xff;
});
const chunk = 64 * 1024;
for (let offset = 0; offset < input.length; offset += chunk) {
  const piece = input.subarray(offset, offset + chunk);
  while (!pipeline.push(piece)) await new Promise((resolve) => (wake = resolve));
}
const stats = await pipeline.close();
console.log(JSON.stringify({ before, peak: statusMiB('VmHWM'), bytesOut: stats.bytesOut, checksum }));
