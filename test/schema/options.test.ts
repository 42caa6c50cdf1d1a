/**
 * Model options that shape the schema: named CHECK constraints (created by syncSchema and enforced by the
 * database) and managed: false (left out of syncSchema/dropSchema unless named).
 */
import { describe, expect, it } from 'vitest';
import { IntField, IntegrityError, Model, dropSchema, model, syncSchema } from '../../src/index.js';
import { schemaModels } from '../../src/schema/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'sch_checked', checks: [{ name: 'sch_checked_qty_positive', sql: 'qty > 0' }] })
class SchChecked extends Model {
  @IntField() qty!: number;
}

@model({ table: 'sch_unmanaged', managed: false })
class SchUnmanaged extends Model {
  @IntField() n!: number;
}

describe('model options for schemas', () => {
  it('managed: false leaves a model out of syncSchema() and dropSchema() unless it is named', () => {
    expect(schemaModels('default', {}).map((m) => m.name)).not.toContain('SchUnmanaged');
    expect(schemaModels('default', { models: [SchUnmanaged] }).map((m) => m.name)).toEqual(['SchUnmanaged']);
    expect(SchUnmanaged.meta.managed).toBe(false);
  });

  it('refuses a check without a name or a condition, and two checks of one name', () => {
    expect(() => model({ checks: [{ name: 'bad name', sql: 'x > 0' }] })(class SchBad1 extends Model {})).toThrow(/each check needs a name/);
    expect(() => model({ checks: [{ name: 'c', sql: '' }] })(class SchBad2 extends Model {})).toThrow(/check 'c' needs sql/);
    expect(() => model({ checks: [{ name: 'c', sql: { oracle: 'x' } as never }] })(class SchBad3 extends Model {})).toThrow(/check 'c' needs sql/);
    expect(() => model({ checks: [{ name: 'c', sql: 'a' }, { name: 'c', sql: 'b' }] })(class SchBad4 extends Model {})).toThrow(/two checks are named 'c'/);
  });
});

forEachDialect('schema: model options', () => {
  describe('checks', () => {
    it('syncSchema() creates named CHECK constraints that the database enforces', async () => {
      await dropSchema({ models: [SchChecked] });
      await syncSchema({ models: [SchChecked] });
      await SchChecked.create({ qty: 2 });
      const error = await rejection(SchChecked.create({ qty: 0 }));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(await SchChecked.all().count()).toBe(1);
      await dropSchema({ models: [SchChecked] });
    });
  });

});
