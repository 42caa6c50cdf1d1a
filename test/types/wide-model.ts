/**
 * A wide model for the type checker's cost (docs/performance.md): 60 scalar fields and 5 ForeignKeys,
 * queried with the typed filter, orderBy, values and update. Checked by tsc, never run.
 */
import { CharField, ForeignKey, IntField, Model, model } from '../../src/index.js';

@model({ table: 'ty_wide_target' })
export class WideTarget extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @IntField() rank!: number;
}

@model({ table: 'ty_wide' })
export class Wide extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) s0!: string;
  @IntField() n1!: number;
  @CharField({ maxLength: 20 }) s2!: string;
  @IntField() n3!: number;
  @CharField({ maxLength: 20 }) s4!: string;
  @IntField() n5!: number;
  @CharField({ maxLength: 20 }) s6!: string;
  @IntField() n7!: number;
  @CharField({ maxLength: 20 }) s8!: string;
  @IntField() n9!: number;
  @CharField({ maxLength: 20 }) s10!: string;
  @IntField() n11!: number;
  @CharField({ maxLength: 20 }) s12!: string;
  @IntField() n13!: number;
  @CharField({ maxLength: 20 }) s14!: string;
  @IntField() n15!: number;
  @CharField({ maxLength: 20 }) s16!: string;
  @IntField() n17!: number;
  @CharField({ maxLength: 20 }) s18!: string;
  @IntField() n19!: number;
  @CharField({ maxLength: 20 }) s20!: string;
  @IntField() n21!: number;
  @CharField({ maxLength: 20 }) s22!: string;
  @IntField() n23!: number;
  @CharField({ maxLength: 20 }) s24!: string;
  @IntField() n25!: number;
  @CharField({ maxLength: 20 }) s26!: string;
  @IntField() n27!: number;
  @CharField({ maxLength: 20 }) s28!: string;
  @IntField() n29!: number;
  @CharField({ maxLength: 20 }) s30!: string;
  @IntField() n31!: number;
  @CharField({ maxLength: 20 }) s32!: string;
  @IntField() n33!: number;
  @CharField({ maxLength: 20 }) s34!: string;
  @IntField() n35!: number;
  @CharField({ maxLength: 20 }) s36!: string;
  @IntField() n37!: number;
  @CharField({ maxLength: 20 }) s38!: string;
  @IntField() n39!: number;
  @CharField({ maxLength: 20 }) s40!: string;
  @IntField() n41!: number;
  @CharField({ maxLength: 20 }) s42!: string;
  @IntField() n43!: number;
  @CharField({ maxLength: 20 }) s44!: string;
  @IntField() n45!: number;
  @CharField({ maxLength: 20 }) s46!: string;
  @IntField() n47!: number;
  @CharField({ maxLength: 20 }) s48!: string;
  @IntField() n49!: number;
  @CharField({ maxLength: 20 }) s50!: string;
  @IntField() n51!: number;
  @CharField({ maxLength: 20 }) s52!: string;
  @IntField() n53!: number;
  @CharField({ maxLength: 20 }) s54!: string;
  @IntField() n55!: number;
  @CharField({ maxLength: 20 }) s56!: string;
  @IntField() n57!: number;
  @CharField({ maxLength: 20 }) s58!: string;
  @IntField() n59!: number;
  @ForeignKey(() => WideTarget, { relatedName: 'wides0' }) fk0!: WideTarget;
  declare fk0Id: number;
  @ForeignKey(() => WideTarget, { relatedName: 'wides1' }) fk1!: WideTarget;
  declare fk1Id: number;
  @ForeignKey(() => WideTarget, { relatedName: 'wides2' }) fk2!: WideTarget;
  declare fk2Id: number;
  @ForeignKey(() => WideTarget, { relatedName: 'wides3' }) fk3!: WideTarget;
  declare fk3Id: number;
  @ForeignKey(() => WideTarget, { relatedName: 'wides4' }) fk4!: WideTarget;
  declare fk4Id: number;
}

export async function wideQueries(): Promise<void> {
  await Wide.filter({ s0__icontains: 'a', n1__gte: 3, fk0__name__startswith: 'x', fk4: 1, s58: 'y' }).orderBy('-n59', 'fk2__rank').limit(5);
  await Wide.filter({ fk1__rank__in: [1, 2], n3__range: [1, 2] }).values('s0', 'n1', 'fk3__name');
  await Wide.filter({ s2__in: ['a'] }).update({ n5: 4, s10: 'z' });
  // @ts-expect-error unknown field
  Wide.filter({ s1: 'no such field' });
  // @ts-expect-error wrong value type
  Wide.filter({ n1__gte: 'three' });
}
