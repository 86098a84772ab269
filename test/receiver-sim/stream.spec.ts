import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFixtures } from './fixtures.js';
import type { SimChannel } from './model.js';
import { startReceiverSim, type ReceiverSim } from './sim.js';
import {
  apiUrl,
  continuityErrors,
  ffprobeJson,
  httpGet,
  readRaw,
  scanPackets,
  splitStream,
} from './spec-support.js';

let sim: ReceiverSim;
const port = (url: string): number => Number(new URL(url).port);
const channel = (name: string): SimChannel =>
  sim.dataset.channels.find((candidate) => candidate.name === name)!;

beforeAll(async () => {
  await prepareFixtures();
  sim = await startReceiverSim({
    seed: 2,
    channels: 40,
    tuners: 2,
    streamSpeed: 0,
    faults: { encryptedRefuseMs: 300 },
  });
}, 600_000);
afterAll(() => sim.close());

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a stream and keeps it (unread) until closed by the test. */
function hold(streamPort: number, ref: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(streamPort, '127.0.0.1', () => {
      socket.write(`GET /${ref} HTTP/1.0\r\n\r\n`);
      socket.once('data', () => {
        socket.pause();
        resolve(socket);
      });
    });
    socket.on('error', reject);
  });
}

describe('stream server (port 8001 style)', () => {
  it('answers HTTP/1.0 200 with video/mpeg and no length, then live TS that ffprobe reads as the requested SID', async () => {
    const orf = channel('ORF1 HD');
    const { data, end } = await readRaw(port(sim.streamUrl), `/${orf.ref}?duration=3`);
    expect(end).toBe('closed');
    const { head, body } = splitStream(data);
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.0 200 OK',
      'Connection: Close',
      'Content-Type: video/mpeg',
      'Server: streamserver',
    ]);
    expect(body[0]).toBe(0x47);
    expect(continuityErrors(scanPackets(body))).toBe(0);
    const probe = await ffprobeJson<{
      programs: { program_num: number; nb_streams: number }[];
      format: { duration: string };
    }>(body, ['-show_programs', '-show_entries', 'program=program_num,nb_streams:format=duration']);
    expect(probe.programs.find((program) => program.nb_streams > 0)?.program_num).toBe(orf.sid);
    const orf2 = channel('ORF2 HD'); // same transponder: listed in the PAT without a PMT, like the other neighbours
    expect(
      probe.programs.filter((program) => program.nb_streams === 0).map((program) => program.program_num),
    ).toContain(orf2.sid);
    expect(probe.programs.length).toBeGreaterThanOrEqual(6);
    expect(Number(probe.format.duration)).toBeGreaterThan(2);
    expect(Number(probe.format.duration)).toBeLessThan(4.5);
  });

  it('keeps timestamps continuous over a capture spanning the fixture loop (ffprobe)', async () => {
    const zdf = channel('ZDF');
    const { data } = await readRaw(port(sim.streamUrl), `/${zdf.ref.toLowerCase()}?duration=26`);
    const { body } = splitStream(data);
    const { packets } = await ffprobeJson<{ packets: { stream_index: number; dts?: number }[] }>(body, [
      '-show_entries',
      'packet=stream_index,dts',
    ]);
    const video = packets
      .filter((packet) => packet.stream_index === 0 && packet.dts !== undefined)
      .map((packet) => packet.dts!);
    expect(video.length).toBeGreaterThan(600); // > 24 s at 25 fps: longer than the 20 s fixture
    expect(new Set(video.slice(1).map((dts, i) => dts - video[i]!))).toEqual(new Set([3600]));
  });

  it('answers an unknown service with 200 and then the text "HTTP/1.0 400 Bad Request"', async () => {
    const { data } = await readRaw(port(sim.streamUrl), '/1:0:19:FFFF:FFFF:1:C00000:0:0:0:');
    expect(data.toString('latin1')).toBe(
      'HTTP/1.0 200 OK\r\nConnection: Close\r\nContent-Type: video/mpeg\r\nServer: streamserver\r\n\r\nHTTP/1.0 400 Bad Request\r\n\r\n',
    );
  });

  it('serves encrypted services scrambled on 8001 (only the relay descrambles)', async () => {
    const sky = channel('Sky Cinema Premiere HD');
    const { body } = splitStream((await readRaw(port(sim.streamUrl), `/${sky.ref}?duration=1`)).data);
    const es = scanPackets(body).filter(
      (packet) => packet.payload && packet.pid > 0x1f && packet.pid !== 107,
    );
    expect(es.length).toBeGreaterThan(100);
    expect(es.every((packet) => packet.scrambling === 2)).toBe(true);
  });

  it('limits streams to the tuners, sharing a tuner between services of one transponder', async () => {
    const das = channel('Das Erste'); // transponder 0x44D, with Bayerisches Fernsehen Süd
    const br = channel('Bayerisches Fernsehen Süd');
    const orf = channel('ORF1 HD');
    const zdf = channel('ZDF');
    expect(das.transponder).toBe(br.transponder);
    const held = [await hold(port(sim.streamUrl), das.ref), await hold(port(sim.streamUrl), orf.ref)];
    await waitFor(() => sim.stats().streams.tunersInUse === 2);
    const busy = await readRaw(port(sim.streamUrl), `/${zdf.ref}?duration=1`);
    expect(busy.data.toString('latin1')).toMatch(/\r\n\r\nHTTP\/1\.0 400 Bad Request\r\n\r\n$/);
    const shared = await readRaw(port(sim.streamUrl), `/${br.ref}?duration=1`);
    expect(splitStream(shared.data).body.length).toBeGreaterThan(188 * 100);
    expect(sim.stats().endpoints['stream']?.['tuner-busy']).toBe(1);
    for (const socket of held) socket.destroy();
    await waitFor(() => sim.stats().streams.tunersInUse === 0);
    const free = await readRaw(port(sim.streamUrl), `/${zdf.ref}?duration=1`);
    expect(splitStream(free.data).body[0]).toBe(0x47);
  });

  it('drops a reader that stalls longer than stallDropMs', async () => {
    await sim.setFaults({ stallDropMs: 300 });
    try {
      const socket = await hold(port(sim.streamUrl), channel('ORF2 HD').ref);
      await waitFor(() => sim.stats().endpoints['stream']?.dropped === 1 && sim.stats().streams.active === 0);
      expect(sim.stats().streams.tunersInUse).toBe(0);
      socket.destroy();
    } finally {
      await sim.setFaults({ stallDropMs: 10_000 });
    }
  }, 30_000);

  it('requires Basic auth with realm streamserver when configured', async () => {
    await sim.setFaults({ auth: { user: 'root', password: 'pw' } });
    try {
      const denied = await readRaw(port(sim.streamUrl), `/${channel('ZDF').ref}`);
      expect(denied.data.toString('latin1')).toMatch(
        /^HTTP\/1\.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="streamserver"/,
      );
      const allowed = await readRaw(port(sim.streamUrl), `/${channel('ZDF').ref}?duration=1`, {
        headers: [`Authorization: Basic ${Buffer.from('root:pw').toString('base64')}`],
      });
      expect(splitStream(allowed.data).head).toMatch(/^HTTP\/1\.0 200 OK/);
    } finally {
      await sim.resetFaults();
      await sim.setFaults({ encryptedRefuseMs: 300 });
    }
  });

  it('streams radio services and recordings', async () => {
    const radio = sim.dataset.channels.find((candidate) => candidate.kind === 'radio')!;
    const { body } = splitStream((await readRaw(port(sim.streamUrl), `/${radio.ref}?duration=2`)).data);
    const probe = await ffprobeJson<{ streams: { codec_name: string }[] }>(body, [
      '-show_entries',
      'stream=codec_name',
    ]);
    expect(probe.streams.map((stream) => stream.codec_name)).toEqual(['mp2', 'mp2']); // two languages

    const movies = JSON.parse((await httpGet(apiUrl(sim.url, '/api/movielist'))).body.toString()) as {
      movies: { filename: string }[];
    };
    const file = movies.movies[0]!.filename;
    const recording = splitStream(
      (await readRaw(port(sim.streamUrl), `/file?file=${encodeURIComponent(file)}`)).data,
    );
    const duration = await ffprobeJson<{ format: { duration: string } }>(recording.body, [
      '-show_entries',
      'format=duration',
    ]);
    expect(Number(duration.format.duration)).toBeGreaterThan(15);
  });
});

describe('stream relay (port 17999 style)', () => {
  it('resets connections during the zap window, then streams with a scrambled lead-in', async () => {
    const sky = channel('Sky Sport Austria HD');
    const m3u = (await httpGet(apiUrl(sim.url, '/web/stream.m3u', { ref: sky.ref }))).body.toString();
    const target = new URL(m3u.trim().split('\n').at(-1)!);
    expect(Number(target.port)).toBe(port(sim.relayUrl));

    const first = await readRaw(Number(target.port), `${target.pathname}?duration=3`);
    expect(first.data.length).toBe(0);
    expect(sim.stats().endpoints['relay']?.refused).toBeGreaterThanOrEqual(1);
    let read = first;
    for (let attempt = 0; read.data.length === 0 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      read = await readRaw(Number(target.port), `${target.pathname}?duration=3`);
    }
    const { head, body } = splitStream(read.data);
    expect(head).toMatch(/^HTTP\/1\.0 200 OK/);
    const packets = scanPackets(body);
    const video = packets.filter((packet) => packet.pid === 1920 && packet.payload);
    expect(video.filter((packet) => packet.scrambling === 2)).toHaveLength(400);
    expect(video.slice(0, 400).every((packet) => packet.scrambling === 2)).toBe(true);
    expect(video.slice(400).every((packet) => packet.scrambling === 0)).toBe(true);
    for (const audioPid of [1921, 1922]) {
      expect(packets.filter((packet) => packet.pid === audioPid && packet.scrambling === 2)).toHaveLength(20);
    }
  });

  it('streams clear services without a zap window', async () => {
    const { data } = await readRaw(port(sim.relayUrl), `/${channel('ORF1 HD').ref}?duration=1`);
    const packets = scanPackets(splitStream(data).body);
    expect(packets.length).toBeGreaterThan(100);
    expect(packets.every((packet) => packet.scrambling === 0)).toBe(true);
  });
});

describe('shutdown', () => {
  it('ends live streams when the simulator closes', async () => {
    const live = await startReceiverSim({ seed: 3 });
    const zdf = live.dataset.channels.find((candidate) => candidate.name === 'ZDF')!;
    const socket = await hold(port(live.streamUrl), zdf.ref);
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await live.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
