import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Contains match, case-sensitive; `%`, `_` and `\\` in the value match themselves. */
export const contains: Lookup = {
  name: 'contains',
  prepare(value, input) {
    if (input.lhs.field.kind === 'json' && input.lhs.jsonPath.length === 0) {
      // JSON containment: data__contains: { a: 1 } matches documents that contain that structure.
      return { op: 'json_contains', value: input.clean(value) };
    }
    requireText(input, 'contains');
    return { op: 'text', mode: 'contains', rhs: textOperand(value, input), caseInsensitive: false };
  },
};
