/**
 * The slice of RSQL the Jamf Pro API's `filter` parameter takes that the simulator needs: comparisons
 * (`==`, `!=`, `=lt=`/`<`, `=le=`/`<=`, `=gt=`/`>`, `=ge=`/`>=`), `;` for AND, `,` for OR and
 * parentheses (Jamf's "Filtering with RSQL" guide). A filter on a field the endpoint does not
 * allow, or a date Jamf would not read, is a 400 like Jamf's.
 */

export type FieldType = 'date' | 'string' | 'boolean';

export interface FilterField<T> {
  type: FieldType;
  get: (record: T) => string | boolean | null | undefined;
}

export type Predicate<T> = (record: T) => boolean;

export class RsqlError extends Error {
  constructor(
    message: string,
    readonly field = 'filter',
  ) {
    super(message);
    this.name = 'RsqlError';
  }
}

type Node = { kind: 'and' | 'or'; items: Node[] } | { kind: 'cmp'; field: string; op: Op; value: string };

type Op = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

const OPERATORS: [string, Op][] = [
  ['=ge=', 'ge'],
  ['=gt=', 'gt'],
  ['=le=', 'le'],
  ['=lt=', 'lt'],
  ['==', 'eq'],
  ['!=', 'ne'],
  ['>=', 'ge'],
  ['<=', 'le'],
  ['>', 'gt'],
  ['<', 'lt'],
];

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.or();
    this.skipSpace();
    if (this.pos < this.text.length)
      throw new RsqlError(`Unexpected "${this.text[this.pos]}" at ${this.pos}.`);
    return node;
  }

  private or(): Node {
    const items = [this.and()];
    while (this.take(',')) items.push(this.and());
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private and(): Node {
    const items = [this.term()];
    while (this.take(';')) items.push(this.term());
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private term(): Node {
    if (this.take('(')) {
      const node = this.or();
      if (!this.take(')')) throw new RsqlError(`Missing ")" at ${this.pos}.`);
      return node;
    }
    this.skipSpace();
    const field = /^[A-Za-z][\w.]*/.exec(this.text.slice(this.pos))?.[0];
    if (!field) throw new RsqlError(`Expected a field name at ${this.pos}.`);
    this.pos += field.length;
    const rest = this.text.slice(this.pos);
    const op = OPERATORS.find(([symbol]) => rest.startsWith(symbol));
    if (!op) throw new RsqlError(`Expected a comparison operator after "${field}".`);
    this.pos += op[0].length;
    return { kind: 'cmp', field, op: op[1], value: this.value() };
  }

  private value(): string {
    const quote = this.text[this.pos];
    if (quote === '"' || quote === "'") {
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) throw new RsqlError('Unterminated quoted value.');
      const v = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return v;
    }
    const v = /^[^;,()]*/.exec(this.text.slice(this.pos))![0];
    this.pos += v.length;
    if (!v.trim()) throw new RsqlError(`Expected a value at ${this.pos}.`);
    return v.trim();
  }

  private take(ch: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private skipSpace(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }
}

/**
 * Jamf reads UTC date-times and plain dates; a numeric offset is refused ("Date [2020-01-01T00:00:00+00:00]
 * does not match any of supported formats", as reported by a Jamf connector's tests).
 */
const JAMF_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z)?$/;

function dateValue(field: string, raw: string): number {
  if (!JAMF_DATE.test(raw))
    throw new RsqlError(`Date [${raw}] does not match any of supported formats`, field);
  return Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
}

function compare(a: number | string, b: number | string, op: Op): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
  }
}

function compile<T>(node: Node, fields: Readonly<Record<string, FilterField<T>>>): Predicate<T> {
  if (node.kind !== 'cmp') {
    const parts = node.items.map((n) => compile(n, fields));
    return node.kind === 'and' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
  }
  const field = fields[node.field];
  if (!field) {
    throw new RsqlError(
      `Field ${node.field} is not allowed in the filter; allowed: ${Object.keys(fields).join(', ')}.`,
      node.field,
    );
  }
  const { op } = node;
  if (field.type === 'date') {
    const want = dateValue(node.field, node.value);
    return (r) => {
      const v = field.get(r);
      return typeof v === 'string' && compare(Date.parse(v), want, op);
    };
  }
  if (field.type === 'boolean') {
    if (node.value !== 'true' && node.value !== 'false') {
      throw new RsqlError(`${node.field} takes true or false.`, node.field);
    }
    const want = node.value === 'true';
    return (r) => compare(String(field.get(r) === true), String(want), op);
  }
  // `*` is RSQL's wildcard for == and != on text.
  if ((op === 'eq' || op === 'ne') && node.value.includes('*')) {
    const escaped = node.value.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    const re = new RegExp(`^${escaped}$`, 'i');
    return (r) => re.test(String(field.get(r) ?? '')) === (op === 'eq');
  }
  return (r) => {
    const v = field.get(r);
    return v !== null && v !== undefined && compare(String(v), node.value, op);
  };
}

/** Parses `filter` into a predicate over the endpoint's records; an empty filter matches everything. */
export function parseRsql<T>(text: string, fields: Readonly<Record<string, FilterField<T>>>): Predicate<T> {
  if (!text.trim()) return () => true;
  return compile(new Parser(text).parse(), fields);
}
