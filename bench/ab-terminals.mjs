#!/usr/bin/env node
/**
 * In-process A/B of QuerySet terminals (count, exists, get, first, update) on SQLite :memory:, for two
 * builds of Oxen (e.g. before and after making terminals lazy thenables):
 *
 *   node bench/ab-terminals.mjs path/to/a/dist/index.js path/to/b/dist/index.js [rounds]
 *
 * Both builds are loaded into one process (each with its own registry and :memory: database) and run
 * in alternating batches of 2,000 calls, `rounds` times (default 15), so that the machine's load
 * falls on both alike. The table shows the median microseconds per call of each terminal. Nothing here
 * asserts a duration.
 */
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';

const [, , a, b, roundsArg] = process.argv;
const rounds = Number(roundsArg ?? 15);
const BATCH = 2000;

async function setup(dist, label) {
  const { Model, model, IntField, CharField, connect, syncSchema } = await import(pathToFileURL(dist).href);
  class Row extends Model {}
  IntField()(Row.prototype, 'n');
  CharField({ maxLength: 20 })(Row.prototype, 'name');
  model({ table: 'ab_row' })(Row);
  await connect('sqlite://:memory:', { alias: label });
  await syncSchema({ using: label, models: [Row] });
  const rows = Row.using(label);
  await Row.bulkCreate(Array.from({ length: 1000 }, (_, i) => ({ n: i, name: `r${i}` })), { using: label });
  return {
    count: (i) => rows.filter({ n__gte: i % 1000 }).count(),
    exists: (i) => rows.filter({ n: i % 1000 }).exists(),
    get: (i) => rows.get({ id: (i % 1000) + 1 }),
    first: (i) => rows.filter({ n__gte: i % 1000 }).first(),
    update: (i) => rows.filter({ id: (i % 1000) + 1 }).update({ n: i % 1000 }),
  };
}

const builds = { a: await setup(a, 'ab_a'), b: await setup(b, 'ab_b') };
const samples = { a: {}, b: {} };
for (const name of Object.keys(builds.a)) {
  for (const key of ['a', 'b']) for (let i = 0; i < BATCH; i++) await builds[key][name](i); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const key of r % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
      const fn = builds[key][name];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) await fn(i);
      (samples[key][name] ??= []).push(Number(process.hrtime.bigint() - t0) / 1000 / BATCH);
    }
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log('| terminal | A µs/call | B µs/call | B − A µs |');
console.log('|---|---|---|---|');
for (const name of Object.keys(samples.a)) {
  const ma = median(samples.a[name]);
  const mb = median(samples.b[name]);
  console.log(`| ${name} | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(mb - ma).toFixed(2)} |`);
}
process.exit(0);
