import type { CharFieldDef, DecimalFieldDef, EnumFieldDef, Field } from '../../fields/index.js';
import { assertNever } from '../../utils/index.js';

/** The PostgreSQL column type of a field. */
export function columnTypeOf(declared: Field): string {
  const field = declared.storage; // a foreign key's column is typed like the target's primary key
  const kind = field.kind;
  switch (kind) {
    case 'char':
      return `varchar(${(field as CharFieldDef).maxLength})`;
    case 'text':
      return 'text';
    case 'int':
      return 'integer';
    case 'smallint':
      return 'smallint';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'double precision';
    case 'decimal': {
      const d = field as DecimalFieldDef;
      return `numeric(${d.maxDigits}, ${d.decimalPlaces})`;
    }
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'timestamptz';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'uuid':
      return 'uuid';
    case 'json':
      return 'jsonb';
    case 'enum':
      return (field as EnumFieldDef).numeric ? 'integer' : 'varchar(255)';
    case 'binary':
      return 'bytea';
    default:
      return assertNever(kind, 'field kind');
  }
}

