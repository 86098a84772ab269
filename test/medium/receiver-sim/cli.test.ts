import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../../dist/test/receiver-sim/main.js', import.meta.url));

let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

/** Starts the built CLI and resolves the URLs it prints. */
function startCli(args: string[]): Promise<{ output: () => string; urls: Record<string, string> }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`CLI exited ${code}: ${out}`)));
    const poll = setInterval(() => {
      const web = /web \(OpenWebIF\)\s+(\S+)/.exec(out)?.[1];
      const control = /control\s+(http:\/\/\S+?)\/_sim/.exec(out)?.[1];
      const stream = /stream server\s+(\S+)/.exec(out)?.[1];
      if (web && control && stream) {
        clearInterval(poll);
        resolve({ output: () => out, urls: { web, control, stream } });
      }
    }, 20);
  });
}

function exitCode(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
}

describe('receiver-sim CLI', () => {
  it('prints its URLs and the DEMO RECEIVER banner, serves the flags it was given, stops on SIGTERM', async () => {
    const { output, urls } = await startCli([
      ...['--port', '0', '--stream-port', '0', '--relay-port', '0', '--no-prepare'],
      ...['--bouquets', '2', '--channels', '12', '--seed', '7', '--latin1', '--malformed-json', 'epgservice'],
    ]);
    expect(output()).toContain('DEMO RECEIVER');
    const bouquets = await fetch(`${urls['web']}/api/bouquets`);
    const bytes = Buffer.from(await bouquets.arrayBuffer());
    expect(bytes.includes(Buffer.from([0xd6]))).toBe(true); // "Österreich" in raw Latin-1
    const faults = (await (await fetch(`${urls['control']}/_sim/faults`)).json()) as {
      malformedJson: string[];
    };
    expect(faults.malformedJson).toEqual(['epgservice']);
    const dataset = (await (await fetch(`${urls['control']}/_sim/dataset`)).json()) as {
      channels: number;
      seed: number;
    };
    expect(dataset).toMatchObject({ channels: 12, seed: 7 });
    child!.kill('SIGTERM');
    expect(await exitCode(child!)).toBe(0);
  });

  it('rejects bad flags with exit code 2 and a message', async () => {
    const proc = spawn(process.execPath, [MAIN, '--channels', 'many'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let err = '';
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    expect(await exitCode(proc)).toBe(2);
    expect(err).toContain('--channels needs an integer');
  });
});
