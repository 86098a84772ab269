#!/usr/bin/env node
// Runs every test suite of the project (TypeScript via Vitest, Rust via cargo, bounded fuzzing)
// and ends with one line "N passed, N failed". Exits non-zero when anything failed or a suite could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tally = { passed: 0, failed: 0, broken: [], failures: [] };

function run(command, args, options = {}) {
  console.log(`\n\u001b[1;34m[test]\u001b[0m ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

function vitest() {
  const dir = mkdtempSync(join(tmpdir(), 'e2gate-vitest-'));
  const report = join(dir, 'report.json');
  const result = run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) {
    tally.broken.push(`vitest exited ${result.status} without a report`);
    return;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  tally.passed += json.numPassedTests;
  tally.failed += json.numFailedTests;
  const suiteErrors = json.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  );
  for (const file of suiteErrors) tally.broken.push(`suite failed to run: ${file.name}`);
  tally.failures.push(...failedTests(json));
  if (result.status !== 0 && json.numFailedTests === 0 && suiteErrors.length === 0) {
    tally.broken.push(`vitest exited ${result.status}`);
  }
}

function cargoTests() {
  if (!existsSync(join(root, 'native', 'Cargo.toml'))) return;
  const result = spawnSync('cargo', ['test', '--workspace', '--release', '--color', 'never'], {
    cwd: join(root, 'native'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const lines = `${result.stdout}`.split('\n').filter((line) => line.startsWith('test result:'));
  for (const line of lines) {
    const match = /(\d+) passed; (\d+) failed/.exec(line);
    if (match) {
      tally.passed += Number(match[1]);
      tally.failed += Number(match[2]);
    }
  }
  if (result.status !== 0 && !lines.some((line) => / [1-9]\d* failed/.test(line))) {
    tally.broken.push(`cargo test exited ${result.status}`);
  }
}

// native/scripts/fuzz.sh runs each fuzz target for a bounded time and prints "FUZZ <target> ok|failed".
function fuzz() {
  const script = join(root, 'native', 'scripts', 'fuzz.sh');
  if (!existsSync(script)) return;
  console.log('\n\u001b[1;34m[test]\u001b[0m native/scripts/fuzz.sh');
  const result = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const outcomes = `${result.stdout}`.split('\n').filter((line) => line.startsWith('FUZZ '));
  for (const line of outcomes) {
    if (line.endsWith(' ok')) tally.passed += 1;
    else tally.failed += 1;
  }
  if (result.status !== 0 && outcomes.every((line) => line.endsWith(' ok'))) {
    tally.broken.push(`fuzz.sh exited ${result.status}`);
  }
}

// The reporter prints failures far above the summary; CI often shows only the tail, so name them again there.
function failedTests(json) {
  return json.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => {
        const first = `${test.failureMessages?.[0] ?? ''}`.split('\n')[0];
        // Vitest's time-out errors carry the stack of a placeholder error, so their first line names only that.
        const reason = first.includes('STACK_TRACE_ERROR')
          ? 'timed out (the test or one of its hooks)'
          : first;
        return `${file.name.replace(root, '')} > ${test.fullName}: ${reason.slice(0, 300)}`;
      }),
  );
}

// Format, lint and type-check: one check that fails the run like a failing test.
function staticChecks() {
  const result = run('npm', ['run', '--silent', 'check']);
  if (result.status === 0) tally.passed += 1;
  else {
    tally.failed += 1;
    console.error('\u001b[1;31m[test]\u001b[0m npm run check failed (format, lint or types)');
  }
}

staticChecks();
vitest();
cargoTests();
fuzz();

for (const failure of tally.failures) console.error(`\u001b[1;31m[failed]\u001b[0m ${failure}`);
for (const problem of tally.broken) console.error(`\u001b[1;31m[test]\u001b[0m ${problem}`);
const failed = tally.failed + tally.broken.length;
console.log(`${tally.passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
