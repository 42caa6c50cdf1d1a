import { FieldError } from '../../errors/index.js';
import type { ArithmeticOperator, ExpressionNode } from './nodes.js';

/** What arithmetic accepts on either side. */
export type FOperand = number | FExpression;

/**
 * A reference to a column of the row being filtered or updated, with arithmetic. Build with `F()`.
 *
 * @example
 * ```ts
 * await Author.filter({ age__lt: 18 }).update({ age: F('age').add(1) });   // atomic n = n + 1
 * await Author.filter({ age__gt: F('minAge') });                          // column to column
 * ```
 */
export class FExpression<M = any> {
  /** The model the expression is typed for (type level only; see the typed `F` of the package root). */
  declare readonly model?: M;
  /** The expression tree. */
  readonly node: ExpressionNode;
  constructor(node: ExpressionNode) {
    this.node = node;
    Object.freeze(this);
  }
  /** `this + operand`. */
  add(operand: FOperand): FExpression {
    return this.#arith('+', operand);
  }
  /** `this - operand`. */
  sub(operand: FOperand): FExpression {
    return this.#arith('-', operand);
  }
  /** `this * operand`. */
  mul(operand: FOperand): FExpression {
    return this.#arith('*', operand);
  }
  /** `this / operand`. */
  div(operand: FOperand): FExpression {
    return this.#arith('/', operand);
  }
  #arith(op: ArithmeticOperator, operand: FOperand): FExpression {
    let right: ExpressionNode;
    if (operand instanceof FExpression) right = operand.node;
    else if (typeof operand === 'number' && Number.isFinite(operand)) right = { kind: 'value', value: operand };
    else throw new FieldError(`F().${op === '+' ? 'add' : op === '-' ? 'sub' : op === '*' ? 'mul' : 'div'}() takes a finite number or another F(), got ${typeof operand}`);
    return new FExpression(Object.freeze({ kind: 'arith', op, left: this.node, right }));
  }
}

/** A reference to a field of the same row (`F('age')`, across relations `F('author__age')`). */
export function F(path: string): FExpression {
  if (typeof path !== 'string' || path === '') throw new FieldError('F() takes a field name, e.g. F(\'age\')');
  return new FExpression(Object.freeze({ kind: 'ref', path }));
}

/** The field paths an expression references. */
export function expressionRefs(node: ExpressionNode, into: string[] = []): string[] {
  if (node.kind === 'ref') into.push(node.path);
  else if (node.kind === 'arith') {
    expressionRefs(node.left, into);
    expressionRefs(node.right, into);
  }
  return into;
}
