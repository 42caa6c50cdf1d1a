/**
 * Idle pooled connections never keep the process alive, on every dialect: a child script that uses a
 * connection and never calls closeAll() exits by itself once its work is done (mysql2's pool re-arms a
 * ref'd timer every second, and pg's idle clients held the process for idleTimeoutMs, 30 s).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forEachDialect } from '../support/dialects.js';

const script = fileURLToPath(new URL('./fixtures/no-close.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the script; resolves to its exit code and output, or `killed: true` when it was still running after `limitMs`. */
function runChild(url: string, limitMs: number): Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, stdout, stderr });
    });
  });
}

forEachDialect('a script without closeAll() exits by itself', (ctx) => {
  describe('child process', () => {
    it('runs its queries, then exits with code 0 while the pool still holds idle connections', async () => {
      // SQLite's URL is :memory: in the suites; the child needs its own database anyway.
      const url = ctx.dialect === 'sqlite' ? 'sqlite://:memory:' : ctx.url;
      // An upper bound only: before the fix the MySQL child never exited and the PostgreSQL one took 30 s.
      const result = await runChild(url, 20_000);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('rows=1');
      expect(result.killed).toBe(false);
      expect(result.code).toBe(0);
    }, 40_000);
  });
});
