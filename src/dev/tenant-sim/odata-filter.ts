/**
 * A small OData $filter: comparisons (eq ne gt ge lt le), `in (…)`, startswith(), and/or and
 * parentheses, checked against what each entity set lets you filter on. Anything else is a 400
 * that names the unsupported part: silently ignoring a filter would hide a product bug.
 */
import { GraphHttpError } from './graph-error';

export type PropertyKind = 'string' | 'datetime' | 'boolean' | 'number';
export type Filterable = Readonly<Record<string, PropertyKind>>;

type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'datetime'; value: number; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'compare'; op: CompareOp; property: string; value: Literal }
  | { type: 'in'; property: string; values: Literal[] }
  | { type: 'startswith'; property: string; value: string };

type Token = { t: 'ident' | 'string' | 'raw' | '(' | ')' | ','; v: string; at: number };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

const invalid = (message: string): GraphHttpError =>
  new GraphHttpError(400, 'BadRequest', `Invalid $filter: ${message}`);
const unsupported = (part: string, why: string): GraphHttpError =>
  new GraphHttpError(400, 'BadRequest', `Unsupported $filter: '${part}' ${why}`);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c, v: c, at: i++ });
    } else if (c === "'") {
      const start = i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw invalid(`unterminated string starting at position ${start}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: 'string', v: value, at: start });
    } else {
      const start = i;
      while (i < text.length && !/[\s(),']/.test(text[i])) i++;
      const word = text.slice(start, i);
      tokens.push({ t: /^[A-Za-z_][\w./]*$/.test(word) ? 'ident' : 'raw', v: word, at: start });
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw invalid('the expression is empty');
    const node = this.or();
    const rest = this.tokens[this.pos];
    if (rest) throw invalid(`unexpected '${rest.v}' at position ${rest.at} in "${this.text}"`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(what: string): Token {
    const tok = this.tokens[this.pos++];
    if (!tok) throw invalid(`expected ${what} at the end of "${this.text}"`);
    return tok;
  }

  private isWord(word: string): boolean {
    const tok = this.peek();
    return tok?.t === 'ident' && tok.v.toLowerCase() === word;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord('or')) {
      this.pos++;
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.primary();
    while (this.isWord('and')) {
      this.pos++;
      left = { type: 'and', left, right: this.primary() };
    }
    return left;
  }

  private primary(): FilterNode {
    const tok = this.next('a condition');
    if (tok.t === '(') {
      const inner = this.or();
      if (this.next("')'").t !== ')') throw invalid(`missing ')' for the '(' at position ${tok.at}`);
      return inner;
    }
    if (tok.t !== 'ident') throw invalid(`expected a property name at position ${tok.at}, found '${tok.v}'`);
    if (tok.v.toLowerCase() === 'not') throw unsupported('not', 'is not supported by the tenant simulator');
    if (this.peek()?.t === '(') return this.func(tok);
    return this.comparison(tok.v);
  }

  private func(name: Token): FilterNode {
    if (name.v.toLowerCase() !== 'startswith') {
      throw unsupported(`${name.v}(…)`, 'is not supported by the tenant simulator (only startswith)');
    }
    this.pos++; // (
    const prop = this.next('a property name');
    if (prop.t !== 'ident') throw invalid(`startswith needs a property name first, found '${prop.v}'`);
    if (this.next("','").t !== ',') throw invalid('startswith needs two arguments');
    const value = this.next('a string');
    if (value.t !== 'string') throw invalid(`startswith needs a quoted string, found '${value.v}'`);
    if (this.next("')'").t !== ')') throw invalid("missing ')' after startswith's arguments");
    return { type: 'startswith', property: prop.v, value: value.v };
  }

  private comparison(property: string): FilterNode {
    const opTok = this.next(`an operator after '${property}'`);
    const op = opTok.v.toLowerCase();
    if (op === 'in') return { type: 'in', property, values: this.list() };
    if (opTok.t !== 'ident' || !COMPARE_OPS.has(op)) {
      throw unsupported(
        `${property} ${opTok.v}`,
        'uses an operator the simulator does not know (eq ne gt ge lt le in)',
      );
    }
    return { type: 'compare', op: op as CompareOp, property, value: this.literal() };
  }

  private list(): Literal[] {
    if (this.next("'('").t !== '(') throw invalid("'in' needs a parenthesised list");
    const values: Literal[] = [];
    for (;;) {
      values.push(this.literal());
      const sep = this.next("',' or ')'");
      if (sep.t === ')') return values;
      if (sep.t !== ',') throw invalid(`expected ',' or ')' at position ${sep.at}`);
    }
  }

  private literal(): Literal {
    const tok = this.next('a value');
    if (tok.t === 'string') return { kind: 'string', value: tok.v };
    const word = tok.v.toLowerCase();
    if (word === 'null') return { kind: 'null' };
    if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
    if (DATETIME.test(tok.v)) return { kind: 'datetime', value: Date.parse(tok.v), text: tok.v };
    if (NUMBER.test(tok.v)) return { kind: 'number', value: Number(tok.v) };
    throw invalid(
      `'${tok.v}' at position ${tok.at} is not a value; quote strings ('…') and write date-times as ISO 8601 (2024-01-31T00:00:00Z)`,
    );
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text), text).parse();
}

export type Predicate = (record: object) => boolean;

/** Reads a (possibly nested, slash-separated) property from a record. */
export function readPath(record: object, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('/')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Checks the filter against what the entity set allows and turns it into a predicate.
 * Property names match case-insensitively and are rewritten to their canonical spelling.
 */
export function compileFilter(node: FilterNode, filterable: Filterable, typeName: string): Predicate {
  switch (node.type) {
    case 'and': {
      const [l, r] = [
        compileFilter(node.left, filterable, typeName),
        compileFilter(node.right, filterable, typeName),
      ];
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const [l, r] = [
        compileFilter(node.left, filterable, typeName),
        compileFilter(node.right, filterable, typeName),
      ];
      return (rec) => l(rec) || r(rec);
    }
    case 'in':
      return compileIn(node, filterable, typeName);
    case 'startswith':
      return compileStartsWith(node, filterable, typeName);
    case 'compare':
      return compileCompare(node, filterable, typeName);
  }
}

function canonical(property: string, filterable: Filterable, typeName: string): [string, PropertyKind] {
  const name = Object.keys(filterable).find((k) => k.toLowerCase() === property.toLowerCase());
  if (!name) {
    const allowed = Object.keys(filterable);
    throw unsupported(
      property,
      `cannot be filtered on ${typeName} by the tenant simulator (${allowed.length ? `filterable: ${allowed.join(', ')}` : 'this collection takes no $filter'})`,
    );
  }
  return [name, filterable[name]];
}

function compileIn(
  node: Extract<FilterNode, { type: 'in' }>,
  filterable: Filterable,
  typeName: string,
): Predicate {
  const [name, kind] = canonical(node.property, filterable, typeName);
  if (kind !== 'string') throw unsupported(`${name} in (…)`, "'in' is only supported on string properties");
  const wanted = new Set(
    node.values.map((v) => {
      if (v.kind !== 'string') throw invalid(`'in' on ${name} needs quoted strings`);
      return v.value.toLowerCase();
    }),
  );
  return (rec) => {
    const v = readPath(rec, name);
    return typeof v === 'string' && wanted.has(v.toLowerCase());
  };
}

function compileStartsWith(
  node: Extract<FilterNode, { type: 'startswith' }>,
  filterable: Filterable,
  typeName: string,
): Predicate {
  const [name, kind] = canonical(node.property, filterable, typeName);
  if (kind !== 'string') throw unsupported(`startswith(${name}, …)`, 'needs a string property');
  const prefix = node.value.toLowerCase();
  return (rec) => {
    const v = readPath(rec, name);
    return typeof v === 'string' && v.toLowerCase().startsWith(prefix);
  };
}

function compileCompare(
  node: Extract<FilterNode, { type: 'compare' }>,
  filterable: Filterable,
  typeName: string,
): Predicate {
  const [name, kind] = canonical(node.property, filterable, typeName);
  const { op, value } = node;
  const part = `${name} ${op}`;
  if (value.kind === 'null') {
    if (op !== 'eq' && op !== 'ne') throw unsupported(`${part} null`, 'only eq and ne compare with null');
    return (rec) => (readPath(rec, name) == null) === (op === 'eq');
  }
  if (kind === 'string') {
    if (value.kind !== 'string') throw invalid(`${name} is a string; quote the value ('…')`);
    if (op !== 'eq' && op !== 'ne')
      throw unsupported(part, 'is not supported on string properties (eq, ne, in, startswith)');
    const wanted = value.value.toLowerCase();
    // Graph compares these (UPNs, enum names, ids) without regard to case.
    return (rec) => {
      const v = readPath(rec, name);
      return (typeof v === 'string' && v.toLowerCase() === wanted) === (op === 'eq');
    };
  }
  if (kind === 'boolean') {
    if (value.kind !== 'boolean') throw invalid(`${name} is a boolean; compare it with true or false`);
    if (op !== 'eq' && op !== 'ne')
      throw unsupported(part, 'is not supported on boolean properties (eq, ne)');
    return (rec) => (readPath(rec, name) === value.value) === (op === 'eq');
  }
  if (kind === 'datetime') {
    if (value.kind !== 'datetime') {
      throw invalid(
        `${name} is a DateTimeOffset; write the value unquoted as ISO 8601, e.g. ${name} ge 2024-01-31T00:00:00Z`,
      );
    }
    return numericCompare(name, op, value.value, (v) => (typeof v === 'string' ? Date.parse(v) : Number.NaN));
  }
  if (value.kind !== 'number') throw invalid(`${name} is a number`);
  return numericCompare(name, op, value.value, (v) => (typeof v === 'number' ? v : Number.NaN));
}

function numericCompare(
  name: string,
  op: CompareOp,
  wanted: number,
  read: (v: unknown) => number,
): Predicate {
  const test: Record<CompareOp, (a: number) => boolean> = {
    eq: (a) => a === wanted,
    ne: (a) => a !== wanted,
    gt: (a) => a > wanted,
    ge: (a) => a >= wanted,
    lt: (a) => a < wanted,
    le: (a) => a <= wanted,
  };
  const check = test[op];
  return (rec) => {
    const a = read(readPath(rec, name));
    return !Number.isNaN(a) && check(a);
  };
}

/**
 * Equality conditions on `property` that every match must satisfy (a top-level `eq`/`in`, or one
 * inside a chain of `and`s), so a route can start from an index instead of scanning everything.
 */
export function equalityHint(node: FilterNode, property: string): string[] | undefined {
  const same = (p: string): boolean => p.toLowerCase() === property.toLowerCase();
  if (node.type === 'compare' && node.op === 'eq' && same(node.property) && node.value.kind === 'string') {
    return [node.value.value];
  }
  if (node.type === 'in' && same(node.property) && node.values.every((v) => v.kind === 'string')) {
    return node.values.map((v) => (v.kind === 'string' ? v.value : ''));
  }
  if (node.type === 'and') return equalityHint(node.left, property) ?? equalityHint(node.right, property);
  return undefined;
}
