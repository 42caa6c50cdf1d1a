import { registerLookup } from './lookup.js';
import { exact } from './builtin/exact.js';
import { iexact } from './builtin/iexact.js';
import { ne } from './builtin/ne.js';
import { inLookup } from './builtin/in.js';
import { notIn } from './builtin/not-in.js';
import { gt } from './builtin/gt.js';
import { gte } from './builtin/gte.js';
import { lt } from './builtin/lt.js';
import { lte } from './builtin/lte.js';
import { range } from './builtin/range.js';
import { isnull } from './builtin/isnull.js';
import { contains } from './builtin/contains.js';
import { icontains } from './builtin/icontains.js';
import { startswith } from './builtin/startswith.js';
import { istartswith } from './builtin/istartswith.js';
import { endswith } from './builtin/endswith.js';
import { iendswith } from './builtin/iendswith.js';
import { regex } from './builtin/regex.js';
import { iregex } from './builtin/iregex.js';
import { hasKey } from './builtin/has-key.js';

registerLookup(exact);
registerLookup(iexact);
registerLookup(ne);
registerLookup(inLookup);
registerLookup(notIn);
registerLookup(gt);
registerLookup(gte);
registerLookup(lt);
registerLookup(lte);
registerLookup(range);
registerLookup(isnull);
registerLookup(contains);
registerLookup(icontains);
registerLookup(startswith);
registerLookup(istartswith);
registerLookup(endswith);
registerLookup(iendswith);
registerLookup(regex);
registerLookup(iregex);
registerLookup(hasKey);

export * from './lookup.js';

/** The date/time transforms, in the order they are documented. */
export const TRANSFORMS = ['year', 'month', 'day', 'week_day', 'hour', 'minute', 'second', 'date'] as const;
