/**
 * The import-layer rule of /work/shared/DESIGN.md ("Layers and what each may import"), checked in CI by
 * `npm run lint` (`depcruise src --config .dependency-cruiser.cjs`).
 *
 * A module may import only from its own layer or a lower one; `src/index.ts` (the only barrel) may import
 * anything and nothing may import it; only `src/metadata/decorators.ts` may import reflect-metadata.
 * Type-only imports count (tsPreCompilationDeps).
 */

/** Layer number → folders (relative to the repository root). */
const LAYERS = [
  ['src/errors', 'src/utils'], // L0 kernel
  ['src/fields'], // L1 fields
  ['src/metadata', 'src/signals'], // L2 metadata
  ['src/query/lookups', 'src/query/filter'], // L3 filter language
  ['src/dialects'], // L4 dialects
  ['src/query/compile', 'src/query/hydrate'], // L5 compile & hydrate
  ['src/engine'], // L6 engine
  ['src/query/queryset'], // L7 querying
  ['src/persistence'], // L8 persistence
  ['src/model'], // L9 active record
  ['src/schema', 'src/migrations', 'src/bridge', 'src/cli'], // L10 tools
];

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches every module inside the given folders. */
const folders = (list) => `^(${list.map(escapeRegex).join('|')})/`;

const layerRules = LAYERS.slice(0, -1).map((own, n) => ({
  name: `layer-L${n}`,
  comment:
    `L${n} (${own.join(', ')}) may import only L0–L${n}. ` +
    'Move the shared code down a layer, or pass what you need in as a parameter (see DESIGN.md, layers table).',
  severity: 'error',
  from: { path: folders(own) },
  to: { path: folders(LAYERS.slice(n + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-barrel-import',
      comment: 'src/index.ts is the public barrel: import the module you need directly, never the barrel (it would create cycles).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/index\\.ts$' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'reflect-metadata-only-in-decorators',
      comment: 'Only src/metadata/decorators.ts may import reflect-metadata (DESIGN.md, L2).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/metadata/decorators\\.ts$' },
      to: { path: '(^|/)node_modules/reflect-metadata/|^reflect-metadata$' },
    },
    {
      name: 'no-unresolvable',
      comment: 'This import cannot be resolved (a typo, or a dependency that is not installed).',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment: 'A circular import; it usually means a module sits in the wrong layer.',
      severity: 'warn',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'module-outside-layers',
      comment: 'Every module of src/ belongs to a layer of DESIGN.md; add its folder to LAYERS in .dependency-cruiser.cjs.',
      severity: 'warn',
      from: {
        path: '^src/',
        pathNot: [`^src/index\\.ts$`, '^src/types/.*\\.d\\.ts$', folders(LAYERS.flat())],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|docs|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
