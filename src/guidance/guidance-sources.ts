/**
 * Reading the guidance files: the bundled content, a content folder (tests, previews) or an admin's
 * override file, each checked against its schema with every problem named by file and field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { SOURCE_MDMS, type SourceMdm } from '../domain/source-mdm';
import builtInBlackberry from './content/blackberry.json';
import builtInCitrix from './content/citrix.json';
import builtInCommon from './content/common.json';
import builtInEnroll from './content/enroll.json';
import builtInIvanti from './content/ivanti.json';
import builtInJamf from './content/jamf.json';
import builtInOther from './content/other.json';
import builtInWorkspaceOne from './content/workspace-one.json';
import { describeIssues } from './guidance-schema';

export interface Source {
  /** How problems name the file: a repository path for built-in content, else the path given. */
  file: string;
  data?: unknown;
  /** Set when the file could not be read or parsed at all. */
  problem?: string;
}

export interface Sources {
  common: Source;
  enroll: Source;
  vendors: Record<SourceMdm, Source>;
}

export interface Parsed<T> {
  file: string;
  data: T;
}

const BUILT_IN_DIR = 'src/guidance/content';

/** The content bundled with the build (imported, so the compiler copies it into dist). */
export function builtInSources(): Sources {
  const at = (name: string, data: unknown): Source => ({ file: `${BUILT_IN_DIR}/${name}.json`, data });
  return {
    common: at('common', builtInCommon),
    enroll: at('enroll', builtInEnroll),
    vendors: {
      'workspace-one': at('workspace-one', builtInWorkspaceOne),
      ivanti: at('ivanti', builtInIvanti),
      jamf: at('jamf', builtInJamf),
      blackberry: at('blackberry', builtInBlackberry),
      citrix: at('citrix', builtInCitrix),
      other: at('other', builtInOther),
    },
  };
}

export function readContentDir(dir: string): Sources {
  const at = (name: string) => {
    const file = path.join(dir, `${name}.json`);
    return readSource(file, file);
  };
  const vendors = Object.fromEntries(SOURCE_MDMS.map((v) => [v, at(v)])) as Record<SourceMdm, Source>;
  return { common: at('common'), enroll: at('enroll'), vendors };
}

export function readSource(filePath: string, label: string): Source {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file: label, problem: code === 'ENOENT' ? 'file not found' : `cannot be read (${code})` };
  }
  try {
    return { file: label, data: JSON.parse(text) };
  } catch (err) {
    return {
      file: label,
      problem: `is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

export function parse<T>(source: Source, schema: z.ZodType<T, z.ZodTypeDef, unknown>, problems: string[]) {
  if (source.problem) {
    problems.push(`${source.file}: ${source.problem}`);
    return undefined;
  }
  const result = schema.safeParse(source.data);
  if (!result.success) {
    problems.push(...describeIssues(source.file, result.error));
    return undefined;
  }
  return { file: source.file, data: result.data } satisfies Parsed<T>;
}
