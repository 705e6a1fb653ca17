/**
 * Enough of Bicep to check the templates offline, where no Bicep compiler runs: declarations
 * (params with decorators, outputs, modules and what they pass), object keys of a named variable,
 * and bracket balance outside strings and comments.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface BicepParam {
  name: string;
  type: string;
  hasDefault: boolean;
  decorators: string[];
}

export interface BicepModule {
  symbol: string;
  file: string;
  params: string[];
}

export interface BicepFile {
  file: string;
  text: string;
  params: Map<string, BicepParam>;
  outputs: Map<string, string>;
  modules: BicepModule[];
}

export function readBicep(file: string): BicepFile {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  const params = new Map<string, BicepParam>();
  const outputs = new Map<string, string>();
  let decorators: string[] = [];
  let pendingDecorator = '';
  for (const line of lines) {
    if (pendingDecorator) {
      // Multi-line decorators such as @allowed([ … ]).
      pendingDecorator += `\n${line}`;
      if (/^\]\)\s*$/.test(line.trim())) {
        decorators.push(pendingDecorator);
        pendingDecorator = '';
      }
      continue;
    }
    if (/^@\w+\(\[\s*$/.test(line)) {
      pendingDecorator = line;
      continue;
    }
    if (/^@\w+/.test(line)) {
      decorators.push(line.trim());
      continue;
    }
    const p = /^param (\w+) (\w+)(\s*=\s*.+)?$/.exec(line);
    if (p) {
      params.set(p[1]!, { name: p[1]!, type: p[2]!, hasDefault: !!p[3], decorators });
      decorators = [];
      continue;
    }
    const o = /^output (\w+) (\w+) = /.exec(line);
    if (o) outputs.set(o[1]!, o[2]!);
    if (line.trim() && !line.startsWith('//')) decorators = [];
  }
  const modules: BicepModule[] = [];
  for (const m of text.matchAll(/^module (\w+) '([^']+)' = (?:if \(.*\) )?\{/gm)) {
    const block = blockAfter(text, text.indexOf('params: {', m.index));
    modules.push({
      symbol: m[1]!,
      file: path.resolve(path.dirname(file), m[2]!),
      params: [...block.matchAll(/^\s{4}(\w+):/gm)].map((k) => k[1]!),
    });
  }
  return { file, text, params, outputs, modules };
}

/** The keys of `var <name> = { … }`, one per line. */
export function objectKeys(text: string, variable: string): string[] {
  const at = text.indexOf(`var ${variable} = {`);
  if (at < 0) return [];
  return [...blockAfter(text, at).matchAll(/^\s{2}(\w+):/gm)].map((m) => m[1]!);
}

/** The text of the `{ … }` block that starts at or after `from`. */
function blockAfter(text: string, from: number): string {
  const open = text.indexOf('{', from);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/**
 * Unbalanced brackets outside comments and strings (string interpolations `${…}` are code again),
 * as "line: problem" messages; none for a well-formed file.
 */
export function bracketProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: { ch: string; line: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let line = 1;
  // Each entry: are we inside a string at this nesting level of interpolation?
  const modes: ('code' | 'string')[] = ['code'];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    const mode = modes[modes.length - 1];
    if (mode === 'string') {
      if (ch === '\\') i++;
      else if (ch === "'") modes.pop();
      else if (ch === '$' && text[i + 1] === '{') {
        modes.push('code');
        stack.push({ ch: '${', line });
        i++;
      }
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      line++;
      continue;
    }
    if (ch === "'") {
      modes.push('string');
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, line });
    else if (ch === ')' || ch === ']' || ch === '}') {
      const top = stack.pop();
      if (ch === '}' && top?.ch === '${') {
        modes.pop();
        continue;
      }
      if (!top || top.ch !== pairs[ch])
        problems.push(`${line}: "${ch}" closes ${top ? `"${top.ch}" of line ${top.line}` : 'nothing'}`);
    }
  }
  for (const open of stack) problems.push(`${open.line}: "${open.ch}" is never closed`);
  if (modes.length > 1) problems.push('a string is never closed');
  return problems;
}
