import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CONTENT_DIR = path.resolve(__dirname, '../../src/guidance/content');

type JsonPath = readonly (string | number)[];
type Container = Record<string | number, unknown>;

/** A writable copy of the built-in content, for tests that break one file on purpose. */
export class ContentFixture {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'guidance-'));

  constructor() {
    cpSync(CONTENT_DIR, this.dir, { recursive: true });
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  read(name: string, at: JsonPath = []): unknown {
    return at.reduce<unknown>((node, key) => (node as Container)[key], this.json(name));
  }

  /** Sets (or with `undefined`, deletes) the value at a path in one JSON file. */
  set(name: string, at: JsonPath, value: unknown): void {
    const json = this.json(name);
    const parent = at.slice(0, -1).reduce<Container>((node, key) => {
      node[key] ??= {};
      return node[key] as Container;
    }, json);
    const last = at[at.length - 1]!;
    if (value === undefined) delete parent[last];
    else parent[last] = value;
    this.write(name, JSON.stringify(json, null, 2));
  }

  write(name: string, text: string): void {
    writeFileSync(this.file(name), text);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private json(name: string): Container {
    return JSON.parse(readFileSync(this.file(name), 'utf8')) as Container;
  }
}

/** Writes a JSON file into a fresh temporary folder and returns its path. */
export function tempJson(name: string, content: unknown): { file: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guidance-override-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
