#!/usr/bin/env node
/**
 * `npm run bench` from the repository root: installs bench/'s own dependencies when bench/node_modules
 * is missing (the peer ORMs are bench/'s dependencies only, so the library's install stays lean), then
 * runs the harness (bench/run.ts through bench's tsx). Every argument is passed through:
 *
 *   npm run bench                       # full run: SQLite + PostgreSQL, 3 repetitions (~15 min)
 *   npm run bench -- --quick            # smoke check: SQLite only, 1 repetition, small sizes (< 1 min)
 *   npm run bench -- --reps 5 --dialects sqlite --entries oxen --workloads W3,W4
 *   npm run bench -- --oxen-ref HEAD~1  # measure Oxen at another commit (before/after a lever)
 *   npm run bench -- --profile W3       # CPU profile of the Oxen child on W3 (see bench/README.md)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bench = path.join(root, 'bench');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (!existsSync(path.join(bench, 'node_modules'))) {
  const lock = existsSync(path.join(bench, 'package-lock.json'));
  console.error(`bench/node_modules is missing: ${lock ? 'npm ci' : 'npm install'} in bench/ (compiles better-sqlite3 and sqlite3; a few minutes)`);
  const status = run(npm, [lock ? 'ci' : 'install', '--no-audit', '--no-fund'], bench);
  if (status !== 0) process.exit(status);
}

const args = process.argv.slice(2);
const tsx = path.join(bench, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const profiling = args.includes('--profile');
const script = path.join(bench, profiling ? 'profile.ts' : 'run.ts');
// From the root, so that paths given on the command line (--rerun-noisy FILE) mean what they say.
process.exit(run(process.execPath, [tsx, script, ...args], root));
