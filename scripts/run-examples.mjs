#!/usr/bin/env node
/**
 * Runs every `examples/*.ts` with tsx, one after another, from the repository root with
 * `OXEN_EXAMPLE=1` set. Prints `example <name>: ok (<ms> ms)` per example; on the first failure prints
 * that example's output and exits 1. No examples: a notice, exit 0.
 *
 * Usage: node scripts/run-examples.mjs [name-filter]
 * (OXEN_EXAMPLES_DIR overrides the folder; OXEN_EXAMPLE_TIMEOUT_MS the per-example limit, default 120 s.)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = resolve(root, process.env.OXEN_EXAMPLES_DIR ?? 'examples');
const tsx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const TIMEOUT_MS = Number(process.env.OXEN_EXAMPLE_TIMEOUT_MS ?? 120_000);
const filter = process.argv[2];

const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .filter((f) => filter === undefined || f.includes(filter))
      .sort()
  : [];

if (examples.length === 0) {
  console.log(`No examples to run (examples/*.ts${filter === undefined ? '' : ` matching '${filter}'`}).`);
  process.exit(0);
}
if (!existsSync(tsx)) {
  console.error(`tsx not found at ${tsx}; run npm ci first.`);
  process.exit(1);
}

/** Runs one example; resolves with its exit code, combined output and duration. */
function run(file) {
  return new Promise((resolveRun) => {
    const started = performance.now();
    const chunks = [];
    const child = spawn(tsx, [join(examplesDir, file)], {
      cwd: root,
      env: { ...process.env, OXEN_EXAMPLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', (error) => chunks.push(Buffer.from(`\n${error.stack ?? String(error)}\n`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString('utf8');
      const ms = Math.round(performance.now() - started);
      resolveRun({ code: timedOut ? 124 : (code ?? 1), signal, output, ms, timedOut });
    });
  });
}

for (const file of examples) {
  const name = file.replace(/\.ts$/, '');
  const result = await run(file);
  if (result.code === 0) {
    console.log(`example ${name}: ok (${result.ms} ms)`);
    continue;
  }
  const why = result.timedOut ? `timed out after ${TIMEOUT_MS} ms` : result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.code}`;
  console.error(`example ${name}: FAILED (${why}, ${result.ms} ms)`);
  console.error(`----- output of ${file} -----`);
  console.error(result.output.trimEnd());
  console.error(`----- end of ${file} -----`);
  process.exit(1);
}
console.log(`${examples.length} example(s) ran.`);
