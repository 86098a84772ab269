// CPU (user + sys, from bash's `times`: the children's totals) and wall seconds of one child process, for the
// benchmarks that compare the engine with the ffmpeg CLI. Throws with the child's stderr when it fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const errFile = join(mkdtempSync(join(tmpdir(), 'e2gate-bench-child-')), 'stderr.txt');
const SCRIPT =
  'start=$(date +%s.%N); "$@" >/dev/null 2>"$E2GATE_BENCH_ERR" || { echo FAILED; cat "$E2GATE_BENCH_ERR" >&2; }; ' +
  'end=$(date +%s.%N); times; echo "$start $end"';

export function childTimes(command, args) {
  const result = spawnSync('bash', ['-c', SCRIPT, 'bench', command, ...args], {
    encoding: 'utf8',
    env: { ...process.env, E2GATE_BENCH_ERR: errFile },
  });
  if (result.stdout.includes('FAILED'))
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  const [start, end] = lines.at(-1).split(' ').map(Number);
  const [user, sys] = lines
    .at(-2)
    .split(/\s+/)
    .map((t) => {
      const m = /(\d+)m([\d.]+)s/.exec(t);
      return Number(m[1]) * 60 + Number(m[2]);
    });
  return { cpu: user + sys, wall: end - start };
}
