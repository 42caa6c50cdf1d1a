import { clip } from '../../utils/index.js';
import type { SelectQueryBuilder } from 'kysely';
import { FieldError } from '../../errors/index.js';
import { shortName } from '../../dialects/index.js';
import type { ModelMeta, Relation } from '../../metadata/index.js';

type AnySelect = SelectQueryBuilder<any, any, any>;

interface PlannedJoin {
  readonly alias: string;
  readonly sql: (q: AnySelect) => AnySelect;
}

/** One hop's join, from the alias it starts at to the alias it ends at. */
export function joinHop(q: AnySelect, relation: Relation, from: string, to: string): AnySelect {
  const target = relation.target;
  switch (relation.kind) {
    case 'fk':
    case 'o2o':
      return q.leftJoin(`${target.table} as ${to}`, `${to}.${target.pk.column}`, `${from}.${relation.fk?.column as string}`);
    case 'reverse_fk':
    case 'reverse_o2o':
      return q.leftJoin(`${target.table} as ${to}`, `${to}.${relation.fk?.column as string}`, `${from}.${relation.model.pk.column}`);
    case 'm2m':
    case 'reverse_m2m': {
      const through = relation.through;
      if (through === undefined) throw new FieldError(`Relation ${relation.model.name}.${relation.name} has no join table`);
      const t = `${to}_t`;
      return q
        .leftJoin(`${through.meta.table} as ${t}`, `${t}.${through.source.column}`, `${from}.${relation.model.pk.column}`)
        .leftJoin(`${target.table} as ${to}`, `${to}.${target.pk.column}`, `${t}.${through.target.column}`);
    }
  }
}

/**
 * Plans the LEFT JOINs a statement needs, once per relation path, and hands out their aliases.
 * Joins are applied after every expression of the statement was compiled.
 */
export class JoinPlanner {
  readonly root: ModelMeta;
  readonly rootAlias: string;
  readonly #prefix: string;
  readonly #joins = new Map<string, PlannedJoin>();

  constructor(root: ModelMeta, rootAlias: string, prefix = 't') {
    this.root = root;
    this.rootAlias = rootAlias;
    this.#prefix = prefix;
  }

  /** The model at the end of a path of relation names. */
  static walk(root: ModelMeta, path: readonly string[]): { meta: ModelMeta; relations: Relation[] } {
    let meta = root;
    const relations: Relation[] = [];
    for (const name of path) {
      const relation = meta.findRelation(name);
      if (relation === undefined) throw new FieldError(`Unknown relation '${clip(name)}' on ${meta.name}`, { model: meta.name });
      relations.push(relation);
      meta = relation.target;
    }
    return { meta, relations };
  }

  /** The alias of the model at the end of `path`, joining what is needed. `allowMany` permits to-many hops. */
  alias(path: readonly string[], allowMany = false): string {
    let alias = this.rootAlias;
    let meta = this.root;
    for (let i = 0; i < path.length; i++) {
      const relation = meta.findRelation(path[i]);
      if (relation === undefined) throw new FieldError(`Unknown relation '${clip(path[i])}' on ${meta.name}`, { model: meta.name });
      if (relation.many && !allowMany) throw new FieldError(`'${clip(path.slice(0, i + 1).join('__'))}' is a to-many relation here`, { model: meta.name });
      const key = path.slice(0, i + 1).join('__');
      let join = this.#joins.get(key);
      if (join === undefined) {
        const from = alias;
        const to = shortName(`${this.#prefix}_${key}`);
        join = { alias: to, sql: (q) => joinHop(q, relation, from, to) };
        this.#joins.set(key, join);
      }
      alias = join.alias;
      meta = relation.target;
    }
    return alias;
  }

  /** True when a join was planned. */
  get size(): number {
    return this.#joins.size;
  }

  /** Adds the planned joins to a SELECT, in planning order (each after the one it starts from). */
  apply(q: AnySelect): AnySelect {
    for (const join of this.#joins.values()) q = join.sql(q);
    return q;
  }
}
