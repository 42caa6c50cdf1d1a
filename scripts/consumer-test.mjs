#!/usr/bin/env node
/**
 * The consumer test: Oxen as a new user gets it. Packs the library (`npm pack`), checks the tarball
 * (source maps self-contained, README links to files it ships), installs it into a fresh temporary
 * project whose tsconfig.json is the one the README shows, compiles a small app (models, queries, a
 * relation) with TypeScript 5.9 and with TypeScript 7, and runs both builds on SQLite.
 *
 * The work is a list of named steps run in order; add one by appending to STEPS (e.g. the `oxen`
 * command). Each step gets the shared context `ctx` and may add to it.
 *
 * Usage: `node scripts/consumer-test.mjs` (after `npm run build`; builds first when dist/ is missing).
 * `--keep` keeps the temporary project and prints its path.
 *
 * better-sqlite3 compiles from source on install (about 2 minutes). The temporary project does not
 * install it: its node_modules/better-sqlite3 is a symlink to the repository's already built copy
 * (Node resolves the native addon and its `bindings` dependency from the link's real path), so CI
 * compiles it once, in `npm ci`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KEEP = process.argv.includes('--keep');
/** The TypeScript versions the README promises, installed side by side under aliases. */
const TYPESCRIPTS = [
  { alias: 'typescript59', spec: 'typescript@~5.9.3', label: 'TypeScript 5.9' },
  { alias: 'typescript7', spec: 'typescript@^7.0.0', label: 'TypeScript 7' },
];

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: options.cwd ?? ROOT, stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...options.env } });
}

function fail(message) {
  throw new Error(message);
}

/** The first ```json block after the README heading about TypeScript settings: the tsconfig users copy. */
function readmeTsconfig() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.indexOf('## TypeScript settings');
  if (section < 0) fail('README.md has no "## TypeScript settings" section');
  const match = /```json\n([\s\S]*?)\n```/.exec(readme.slice(section));
  if (match === null) fail('README.md shows no tsconfig.json under "## TypeScript settings"');
  return JSON.parse(match[1]);
}

const MODELS = `import 'reflect-metadata';
import { CharField, ForeignKey, IntField, Model, model, type RelatedManager } from 'oxen-orm';

@model({ table: 'authors' })
export class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @IntField({ default: 0 }) age!: number;
  declare books: RelatedManager<Book>;
}

@model({ table: 'books' })
export class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 200 }) title!: string;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
}
`;

const APP = `import 'reflect-metadata';
import { Count, F, closeAll, connect, sql, syncSchema, getConnection } from 'oxen-orm';
import { Author, Book } from './models.js';

await connect(process.env.DATABASE_URL ?? 'sqlite://:memory:');
await syncSchema();
const ann = await Author.create({ name: 'Ann', age: 34 });
await Book.create({ title: 'Dune', author: ann });
await Book.create({ title: 'Emma', author: ann });
await Author.filter({ age__lt: 40 }).update({ age: F('age').add(1) });
const book = await Book.filter({ title: 'Dune' }).selectRelated('author').get();
const counts = await Author.annotate({ n: Count('books') }).values('name', 'n');
const raw = await sql<{ n: number }>\`select count(*) as n from books\`.execute(getConnection().kysely);
console.log(JSON.stringify({ author: book.author.name, age: book.author.age, counts, books: Number(raw.rows[0].n) }));
await closeAll();
`;

const EXPECTED = JSON.stringify({ author: 'Ann', age: 35, counts: [{ name: 'Ann', n: 2 }], books: 2 });

/** The steps, in order. */
const STEPS = [
  {
    name: 'build (when dist/ is missing)',
    run() {
      if (!existsSync(join(ROOT, 'dist', 'index.js'))) run('npm', ['run', 'build']);
    },
  },
  {
    name: 'npm pack',
    run(ctx) {
      ctx.dir = mkdtempSync(join(tmpdir(), 'oxen-consumer-'));
      const out = run('npm', ['pack', '--json', '--pack-destination', ctx.dir], { capture: true });
      const [info] = JSON.parse(out);
      ctx.tarball = join(ctx.dir, info.filename);
      ctx.files = info.files.map((f) => f.path);
      console.log(`${info.filename}: ${ctx.files.length} files, ${info.size} bytes`);
    },
  },
  {
    name: 'the tarball: self-contained source maps, README links to shipped files',
    run(ctx) {
      const extract = join(ctx.dir, 'extract');
      mkdirSync(extract);
      run('tar', ['-xzf', ctx.tarball, '-C', extract]);
      const pkg = join(extract, 'package');
      for (const file of ctx.files.filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(readFileSync(join(pkg, file), 'utf8'));
        map.sources.forEach((source, i) => {
          const shipped = existsSync(join(pkg, dirname(file), source));
          if (!shipped && typeof map.sourcesContent?.[i] !== 'string') fail(`${file} points at ${source}, which the package does not ship, and does not embed it`);
        });
      }
      const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
      for (const [, target] of readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        if (!existsSync(join(pkg, target))) fail(`README.md links to ${target}, which the package does not ship`);
      }
    },
  },
  {
    name: 'a fresh project with the README tsconfig',
    run(ctx) {
      ctx.project = join(ctx.dir, 'app');
      mkdirSync(join(ctx.project, 'src'), { recursive: true });
      writeFileSync(join(ctx.project, 'package.json'), JSON.stringify({ name: 'oxen-consumer', private: true, type: 'module' }, null, 2));
      writeFileSync(join(ctx.project, 'tsconfig.json'), JSON.stringify(readmeTsconfig(), null, 2));
      writeFileSync(join(ctx.project, 'src', 'models.ts'), MODELS);
      writeFileSync(join(ctx.project, 'src', 'app.ts'), APP);
    },
  },
  {
    name: 'npm install (the tarball, both TypeScripts, @types/node; better-sqlite3 linked)',
    run(ctx) {
      const specs = TYPESCRIPTS.map((t) => `${t.alias}@npm:${t.spec}`);
      run('npm', ['install', '--no-audit', '--no-fund', '--no-save', ctx.tarball, ...specs, '@types/node@^20.19.0', 'reflect-metadata@^0.2.2'], { cwd: ctx.project });
      symlinkSync(realpathSync(join(ROOT, 'node_modules', 'better-sqlite3')), join(ctx.project, 'node_modules', 'better-sqlite3'), 'dir');
    },
  },
  ...TYPESCRIPTS.map((ts) => ({
    name: `compile with ${ts.label} and run on SQLite`,
    run(ctx) {
      const tsc = join(ctx.project, 'node_modules', ts.alias, 'bin', 'tsc');
      const version = run(process.execPath, [tsc, '--version'], { cwd: ctx.project, capture: true }).trim();
      const outDir = `dist-${ts.alias}`;
      try {
        run(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', outDir], { cwd: ctx.project, capture: true });
      } catch (error) {
        fail(`${version}: the sample app does not compile with the README tsconfig:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      }
      const out = run(process.execPath, [join(outDir, 'app.js')], { cwd: ctx.project, capture: true, env: { DATABASE_URL: 'sqlite://:memory:' } }).trim();
      if (out !== EXPECTED) fail(`${version}: the app printed ${out}, expected ${EXPECTED}`);
      console.log(`${version}: compiled, ran, printed ${out}`);
    },
  })),
  {
    name: 'useDefineForClassFields left on: the app stops at once with a ConfigurationError naming the fix',
    run(ctx) {
      const tsc = join(ctx.project, 'node_modules', TYPESCRIPTS[TYPESCRIPTS.length - 1].alias, 'bin', 'tsc');
      run(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', 'dist-define', '--useDefineForClassFields', 'true'], { cwd: ctx.project, capture: true });
      try {
        run(process.execPath, [join('dist-define', 'app.js')], { cwd: ctx.project, capture: true });
      } catch (error) {
        const stderr = String(error.stderr ?? '');
        if (!stderr.includes('ConfigurationError') || !stderr.includes('"useDefineForClassFields": false')) fail(`the app failed, but not with the expected ConfigurationError:\n${stderr}`);
        return;
      }
      fail('the app compiled with useDefineForClassFields ran without the ConfigurationError');
    },
  },
];

const ctx = {};
let failed = false;
const started = Date.now();
try {
  for (const step of STEPS) {
    const t0 = Date.now();
    console.log(`\n-- ${step.name}`);
    await step.run(ctx);
    console.log(`   ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
} catch (error) {
  failed = true;
  console.error(`\nconsumer test failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (ctx.dir !== undefined) {
    if (KEEP || failed) console.log(`\nthe temporary project is in ${ctx.dir}`);
    else rmSync(ctx.dir, { recursive: true, force: true });
  }
}
console.log(`\nconsumer test ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
