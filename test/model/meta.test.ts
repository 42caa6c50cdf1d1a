/**
 * Model metadata: `Model.meta`, default table names, the automatic `id`, custom primary keys, abstract
 * base models, `registry.models()`, and the ConfigurationErrors of bad definitions. No database needed.
 */
import { describe, expect, it } from 'vitest';
import {
  CharField,
  ConfigurationError,
  DateTimeField,
  DecimalField,
  DoesNotExist,
  EnumField,
  FieldError,
  IntField,
  Model,
  MultipleObjectsReturned,
  TextField,
  UUIDField,
  model,
  registry,
  type ModelOptions,
} from '../../src/index.js';

@model({ table: 'meta_authors', ordering: ['-age', 'name'], indexes: [['name', 'age']], uniqueTogether: [['name', 'email']] })
class MetaAuthor extends Model {
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 255, unique: true, description: 'login' }) email!: string;
  @IntField({ default: 0, min: 0, max: 150 }) age!: number;
  @CharField({ maxLength: 50, null: true, column: 'nick_name' }) nickname!: string | null;
}

@model()
class UniqueTogetherFields extends Model {
  @IntField() a!: number;
}

@model()
class HTTPRequestLog extends Model {
  @TextField() path!: string;
}

@model({ table: 'meta_codes' })
class MetaCode extends Model {
  @CharField({ maxLength: 8 }) title!: string;
  @CharField({ maxLength: 10, primaryKey: true }) code!: string;
}

@model({ table: 'meta_tokens_v4' })
class MetaTokenV4 extends Model {
  @UUIDField({ primaryKey: true }) key!: string;
}

@model({ table: 'meta_tokens_v7' })
class MetaTokenV7 extends Model {
  @UUIDField({ primaryKey: true, version: 7 }) key!: string;
}

@model({ abstract: true })
class Timestamped extends Model {
  @DateTimeField({ autoNowAdd: true }) createdAt!: Date;
  @DateTimeField({ autoNow: true }) updatedAt!: Date;
}

@model({ table: 'meta_posts' })
class MetaPost extends Timestamped {
  @CharField({ maxLength: 200 }) title!: string;
}

@model({ table: 'meta_pages' })
class MetaPage extends Timestamped {
  @TextField() body!: string;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The error a function throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('Model.meta', () => {
  it('exposes the table, fields in order (primary key first), columns and options', () => {
    const meta = MetaAuthor.meta;
    expect(meta.name).toBe('MetaAuthor');
    expect(meta.table).toBe('meta_authors');
    expect(meta.fieldNames).toEqual(['id', 'name', 'email', 'age', 'nickname']);
    expect(meta.columns).toEqual(['id', 'name', 'email', 'age', 'nick_name']);
    expect(meta.ordering).toEqual(['-age', 'name']);
    expect(meta.indexes).toEqual([['name', 'age']]);
    expect(meta.uniqueTogether).toEqual([['name', 'email']]);
    expect(meta.abstract).toBe(false);
    expect(meta.connection).toBeUndefined();
    expect(meta.field('email').options.unique).toBe(true);
    expect(meta.field('email').options.description).toBe('login');
    expect(meta.field('nickname').column).toBe('nick_name');
    expect(meta.byColumn.get('nick_name')?.name).toBe('nickname');
    expect(meta.field('age').kind).toBe('int');
    expect(meta.field('pk')).toBe(meta.pk);
  });

  it('is read-only', () => {
    const meta = MetaAuthor.meta;
    expect(Object.isFrozen(meta)).toBe(true);
    expect(Object.isFrozen(meta.fields)).toBe(true);
    expect(Object.isFrozen(meta.fieldNames)).toBe(true);
    expect(() => {
      (meta as { table: string }).table = 'other';
    }).toThrow(TypeError);
    expect(meta.table).toBe('meta_authors');
  });

  it('answers an unknown field name with a FieldError that suggests the nearest one', () => {
    const error = thrown(() => MetaAuthor.meta.field('emial'));
    expect(error).toBeInstanceOf(FieldError);
    expect(error.message).toBe("Unknown field 'emial' on MetaAuthor; did you mean 'email'? Valid names: age, email, id, name, nickname");
    expect(MetaAuthor.meta.findField('emial')).toBeUndefined();
  });

  it('is the same object registry.get() returns', () => {
    expect(registry.get(MetaAuthor)).toBe(MetaAuthor.meta);
    expect(registry.find(MetaAuthor)).toBe(MetaAuthor.meta);
    expect(registry.byTable('meta_authors')).toBe(MetaAuthor.meta);
  });
});

describe('table names', () => {
  it('defaults to the snake_case of the class name', () => {
    expect(UniqueTogetherFields.meta.table).toBe('unique_together_fields');
    expect(HTTPRequestLog.meta.table).toBe('http_request_log');
  });

  it('uses @model({ table }) when given', () => {
    expect(MetaPost.meta.table).toBe('meta_posts');
  });
});

describe('primary keys', () => {
  it('gives a model without one an auto-incrementing integer id, first', () => {
    const pk = MetaAuthor.meta.pk;
    expect(pk.name).toBe('id');
    expect(pk.column).toBe('id');
    expect(pk.kind).toBe('int');
    expect(pk.autoIncrement).toBe(true);
    expect(pk.primaryKey).toBe(true);
    expect(MetaAuthor.meta.fields[0]).toBe(pk);
  });

  it('uses a field marked { primaryKey: true } instead (moved first), with no id', () => {
    expect(MetaCode.meta.pk.name).toBe('code');
    expect(MetaCode.meta.pk.autoIncrement).toBe(false);
    expect(MetaCode.meta.fieldNames).toEqual(['code', 'title']);
    expect(MetaCode.meta.findField('id')).toBeUndefined();
  });

  it('@UUIDField({ primaryKey: true }) generates a UUIDv4 client-side, a new one per instance', () => {
    const a = MetaTokenV4.build();
    const b = MetaTokenV4.build();
    expect(a.key).toMatch(UUID_V4);
    expect(b.key).toMatch(UUID_V4);
    expect(a.key).not.toBe(b.key);
    expect(a.pk).toBe(a.key);
  });

  it('@UUIDField({ primaryKey: true, version: 7 }) generates UUIDv7 values whose first 48 bits are the creation time in ms', () => {
    const before = Date.now();
    const token = MetaTokenV7.build();
    const after = Date.now();
    expect(token.key).toMatch(UUID_V7);
    const ms = Number.parseInt(token.key.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('an explicit value wins over the generated one', () => {
    const token = MetaTokenV4.build({ key: '0E9A3C53-0000-4000-8000-000000000001' });
    expect(token.key).toBe('0E9A3C53-0000-4000-8000-000000000001');
  });
});

describe('abstract base models', () => {
  it('pass their fields to subclasses (base fields first)', () => {
    expect(MetaPost.meta.fieldNames).toEqual(['id', 'createdAt', 'updatedAt', 'title']);
    expect(MetaPage.meta.fieldNames).toEqual(['id', 'createdAt', 'updatedAt', 'body']);
    expect(MetaPost.meta.field('createdAt')).not.toBe(MetaPage.meta.field('createdAt'));
    expect(MetaPost.meta.field('createdAt').modelName).toBe('MetaPost');
  });

  it('are marked abstract, have no table and are not listed by registry.models()', () => {
    expect(Timestamped.meta.abstract).toBe(true);
    expect(registry.byTable(Timestamped.meta.table)).toBeUndefined();
    expect(registry.models().map((m) => m.name)).not.toContain('Timestamped');
  });
});

describe('registry.models()', () => {
  it('lists every concrete model of this file, in definition order', () => {
    const names = registry.models().map((m) => m.meta.name);
    expect(registry.models().every((cls) => registry.get(cls) === cls.meta)).toBe(true);
    expect(names).toEqual(['MetaAuthor', 'UniqueTogetherFields', 'HTTPRequestLog', 'MetaCode', 'MetaTokenV4', 'MetaTokenV7', 'MetaPost', 'MetaPage']);
  });
});

describe('model errors', () => {
  it('each model has its own DoesNotExist and MultipleObjectsReturned subclasses', () => {
    expect(MetaAuthor.DoesNotExist.prototype).toBeInstanceOf(DoesNotExist);
    expect(MetaAuthor.MultipleObjectsReturned.prototype).toBeInstanceOf(MultipleObjectsReturned);
    expect(MetaAuthor.DoesNotExist).not.toBe(MetaPost.DoesNotExist);
    expect(MetaAuthor.DoesNotExist.name).toBe('DoesNotExist');
    const e = new MetaAuthor.DoesNotExist('x');
    expect(e).toBeInstanceOf(DoesNotExist);
    expect(e).not.toBeInstanceOf(MetaPost.DoesNotExist);
  });
});

describe('bad definitions → ConfigurationError naming the problem', () => {
  const cases: [string, () => unknown, string | RegExp][] = [
    ['an unknown field option', () => CharField({ maxLength: 5, uniqe: true } as never), "Unknown option 'uniqe' for CharField; did you mean 'unique'? Valid names: choices, column, default, description, index, max, maxLength, min, null, primaryKey, renamedFrom, unique"],
    ['an unknown option on IntField', () => IntField({ nul: true } as never), "Unknown option 'nul' for IntField; did you mean 'null'? Valid names: choices, column, default, description, index, max, min, null, primaryKey, renamedFrom, unique"],
    ['a CharField without maxLength', () => CharField({} as never), 'CharField needs maxLength: an integer from 1 to 16383 (use TextField for longer text)'],
    ['a CharField with maxLength 0', () => CharField({ maxLength: 0 }), /CharField needs maxLength/],
    ['a DecimalField without maxDigits', () => DecimalField({ decimalPlaces: 2 } as never), 'DecimalField needs maxDigits: an integer from 1 to 65'],
    ['a DecimalField with more places than digits', () => DecimalField({ maxDigits: 4, decimalPlaces: 5 }), /DecimalField needs decimalPlaces/],
    ['a UUIDField version 5', () => UUIDField({ version: 5 as never }), 'UUIDField version must be 4 or 7, got 5'],
    ['an EnumField of an empty enum', () => EnumField({}), 'EnumField needs an enum with at least one member'],
    ['an invalid column name', () => IntField({ column: 'bad name' }), /Invalid column name 'bad name'/],
    ['an unknown @model option', () => model({ tabel: 'x' } as ModelOptions), "Unknown @model() option 'tabel'; did you mean 'table'? Valid names: abstract, checks, connection, indexes, managed, ordering, renamedFrom, table, uniqueTogether"],
    [
      'two primary keys',
      () => {
        @model({ table: 'meta_bad_two_pks' })
        class TwoPks extends Model {
          @IntField({ primaryKey: true }) a!: number;
          @IntField({ primaryKey: true }) b!: number;
        }
        return TwoPks;
      },
      'TwoPks has several primary keys (a, b); declare at most one',
    ],
    [
      'a nullable primary key',
      () => {
        @model({ table: 'meta_bad_null_pk' })
        class NullPk extends Model {
          @IntField({ primaryKey: true, null: true }) a!: number;
        }
        return NullPk;
      },
      'NullPk.a: a primary key cannot be null',
    ],
    [
      'uniqueTogether naming an unknown field',
      () => {
        @model({ table: 'meta_bad_unique', uniqueTogether: [['name', 'emial']] })
        class BadUnique extends Model {
          @CharField({ maxLength: 10 }) name!: string;
          @CharField({ maxLength: 10 }) email!: string;
        }
        return BadUnique;
      },
      "BadUnique: unknown field 'emial' in @model({ uniqueTogether }); did you mean 'email'? Valid names: email, id, name",
    ],
    [
      'indexes naming an unknown field',
      () => {
        @model({ table: 'meta_bad_index', indexes: [['nmae']] })
        class BadIndex extends Model {
          @CharField({ maxLength: 10 }) name!: string;
        }
        return BadIndex;
      },
      /BadIndex: unknown field 'nmae' in @model\(\{ indexes \}\); did you mean 'name'\?/,
    ],
    [
      'ordering by an unknown field',
      () => {
        @model({ table: 'meta_bad_order', ordering: ['-nmae'] })
        class BadOrder extends Model {
          @CharField({ maxLength: 10 }) name!: string;
        }
        return BadOrder;
      },
      /BadOrder: unknown field 'nmae' in @model\(\{ ordering \}\); did you mean 'name'\?/,
    ],
    [
      "a field name with '__'",
      () => {
        @model({ table: 'meta_bad_dunder' })
        class Dunder extends Model {
          @IntField() bad__name!: number;
        }
        return Dunder;
      },
      "Field name 'bad__name' contains '__', which separates lookups (author__name__icontains); rename it",
    ],
    [
      'an id field that is not the primary key',
      () => {
        @model({ table: 'meta_bad_id' })
        class BadId extends Model {
          @IntField() id!: number;
        }
        return BadId;
      },
      'BadId.id is declared but is not the primary key; mark it { primaryKey: true } or rename it',
    ],
    [
      'two fields on one column',
      () => {
        @model({ table: 'meta_bad_columns' })
        class SameColumn extends Model {
          @IntField({ column: 'x' }) a!: number;
          @IntField({ column: 'x' }) b!: number;
        }
        return SameColumn;
      },
      "SameColumn: two fields use the column 'x'",
    ],
    [
      'a table already used by another model',
      () => {
        @model({ table: 'meta_authors' })
        class Duplicate extends Model {}
        return Duplicate;
      },
      "Table 'meta_authors' is already used by model MetaAuthor; give Duplicate another table with @model({ table: '...' })",
    ],
    [
      'an unusable table name',
      () => {
        @model({ table: 'drop table; --' })
        class BadTable extends Model {}
        return BadTable;
      },
      /BadTable: table name 'drop table; --' is not usable/,
    ],
    [
      'TC39 standard decorators instead of experimentalDecorators',
      () => (IntField() as unknown as (a: unknown, b: unknown) => void)(undefined, { kind: 'field', name: 'x' }),
      /experimentalDecorators": true and "useDefineForClassFields": false/,
    ],
  ];
  for (const [title, define, message] of cases) {
    it(title, () => {
      const error = thrown(define);
      expect(error).toBeInstanceOf(ConfigurationError);
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    });
  }

  it('failed definitions register nothing', () => {
    expect(registry.byTable('meta_bad_two_pks')).toBeUndefined();
    expect(registry.byTable('meta_bad_unique')).toBeUndefined();
    expect(registry.metas().map((m) => m.table)).not.toContain('meta_bad_dunder');
  });

  it('a class without @model() has no meta and says how to fix it', () => {
    class Plain extends Model {}
    const error = thrown(() => Plain.meta);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe("Plain is not a registered model: decorate it with @model() (import { model } from 'oxen-orm')");
  });
});
