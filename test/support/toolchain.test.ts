/**
 * The test toolchain itself: esbuild (through vitest) must honour `experimentalDecorators` and
 * `useDefineForClassFields: false` from tsconfig.json, and the global setup must provide the dialects.
 */
import { describe, expect, inject, it } from 'vitest';
import { CharField, IntField, model, registry } from '../../src/metadata/index.js';
import { workerNamespace } from './dialects.js';

@model({ table: 'toolchain_probe' })
class ToolchainProbe {
  @CharField({ maxLength: 20 }) title!: string;
  @IntField({ null: true }) rank!: number | null;
}

describe('test toolchain', () => {
  it('runs legacy (experimental) decorators: @model registers the class with its fields', () => {
    const meta = registry.get(ToolchainProbe);
    expect(meta.table).toBe('toolchain_probe');
    expect(meta.fieldNames).toEqual(['id', 'title', 'rank']);
    expect(meta.field('title').kind).toBe('char');
  });

  it('compiles class fields without [[Define]] semantics (useDefineForClassFields: false)', () => {
    const instance = new ToolchainProbe();
    // With [[Define]] semantics `title!: string` would become an own property set to undefined,
    // shadowing the accessors an active-record base class installs on the prototype.
    expect(Object.prototype.hasOwnProperty.call(instance, 'title')).toBe(false);
    expect(Object.keys(instance)).toEqual([]);
  });

  it('receives the dialect probe from the global setup', () => {
    const map = inject('oxenDialects');
    expect(Object.keys(map).sort()).toEqual(['mysql', 'postgres', 'sqlite']);
    expect(map.sqlite.available).toBe(true);
    for (const status of Object.values(map)) {
      if (!status.available) expect(status.reason).toMatch(/\S/);
    }
  });

  it('gives each worker its own schema name: <prefix><VITEST_POOL_ID>', () => {
    const prefix = process.env.OXEN_TEST_SCHEMA_PREFIX ?? 'oxen_t';
    expect(process.env.VITEST_POOL_ID).toMatch(/^\d+$/);
    expect(workerNamespace()).toBe(`${prefix}${process.env.VITEST_POOL_ID}`);
  });
});
