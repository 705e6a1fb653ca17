/**
 * Resolving an import for its preview: every UPN looked up in the directory, the wave each user sits
 * in read, the one-wave rule applied (domain/wave-membership.ts). Read-only; nothing is written until
 * the admin confirms (member-save.ts).
 */
import type { Deps } from '../../deps';
import {
  type ImportEntry,
  type ImportProblem,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
} from '../../domain/member-import';
import {
  decideMembership,
  type MembershipPlan,
  type ResolvedEntry,
  type SummaryProblem,
  type WaveRef,
} from '../../domain/wave-membership';
import { type Language, type MessageKey, translator } from '../../i18n';
import type { DirectoryUser } from '../../ports/device-directory';
import { forEachBounded } from '../../shared/bounded';
import { readParticipants } from '../partition-reads';
import { listWaves } from '../waves';

/** Directory look-ups in flight at once (Graph throttling is handled, with retries, by the Graph layer). */
export const LOOKUPS_IN_FLIGHT = 8;
/** UPNs per `findUsers` call (Graph's $batch takes 20; the Graph layer splits larger calls). */
export const LOOKUP_CHUNK = 100;

export type ResolvedImport = MembershipPlan;

/**
 * Looks every entry up in the directory (entries that already carry their `user`, such as a group's
 * members, are not looked up again) and reads the wave each user sits in, then applies the one-wave
 * rule for `waveId` (which may be a wave not stored yet; `waveName` names it then).
 */
export async function resolveImport(
  deps: Pick<Deps, 'store' | 'directory' | 'logger'>,
  entries: readonly (ImportEntry & { user?: DirectoryUser })[],
  waveId: string,
  options: { move?: boolean; parseProblems?: readonly ImportProblem[]; waveName?: string } = {},
): Promise<ResolvedImport> {
  const waves = await listWaves(deps.store);
  const stored = waves.find((w) => w.id === waveId);
  const wave: WaveRef = stored
    ? { id: stored.id, name: stored.name, state: stored.state }
    : { id: waveId, name: options.waveName ?? waveId };

  const found = await lookUpUsers(
    deps,
    entries.flatMap((e) => (e.user ? [] : [e.upn])),
  );
  let failures = 0;
  const resolved = entries.map((entry): ResolvedEntry => {
    if (entry.user) return { line: entry.line, upn: entry.upn, user: entry.user };
    const user = found.get(entry.upn);
    if (user instanceof Error || user === undefined) {
      if (failures++ === 0)
        deps.logger.warn({ err: user, upn: entry.upn }, 'directory look-up failed during an import');
      return { line: entry.line, upn: entry.upn, lookupFailed: true };
    }
    return user ? { line: entry.line, upn: entry.upn, user } : { line: entry.line, upn: entry.upn };
  });
  if (failures > 1) deps.logger.warn({ failures }, 'directory look-ups failed during an import');

  const ids = [...new Set(resolved.flatMap((r) => (r.user ? [r.user.id.toLowerCase()] : [])))];
  // Each participant partition read once (listed when many of its rows are wanted).
  const currentWaveOf = new Map<string, string>();
  for (const [id, p] of await readParticipants(deps.store.participants, ids)) {
    if (p.value.waveId) currentWaveOf.set(id, p.value.waveId);
  }

  return decideMembership({
    wave,
    entries: resolved,
    currentWaveOf,
    waves: waves.map((w) => ({ id: w.id, name: w.name, state: w.state })),
    move: options.move,
    parseProblems: options.parseProblems,
  });
}

/**
 * Every UPN looked up: the user, `null` (no such user) or the error. With the directory's many-user
 * look-up ($batch), chunks of LOOKUP_CHUNK run LOOKUPS_IN_FLIGHT at a time; without it, one by one.
 */
async function lookUpUsers(
  deps: Pick<Deps, 'directory'>,
  upns: readonly string[],
): Promise<Map<string, DirectoryUser | null | Error>> {
  const unique = [...new Set(upns)];
  const out = new Map<string, DirectoryUser | null | Error>();
  const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
  const many = deps.directory.findUsers?.bind(deps.directory);
  if (many) {
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) chunks.push(unique.slice(i, i + LOOKUP_CHUNK));
    await forEachBounded(chunks, LOOKUPS_IN_FLIGHT, async (chunk) => {
      try {
        for (const [k, v] of await many(chunk)) out.set(k, v);
      } catch (err) {
        for (const k of chunk) out.set(k, asError(err));
      }
    });
    return out;
  }
  await forEachBounded(unique, LOOKUPS_IN_FLIGHT, async (upn) => {
    try {
      out.set(upn, (await deps.directory.findUser(upn)) ?? null);
    } catch (err) {
      out.set(upn, asError(err));
    }
  });
  return out;
}

/**
 * One problem as the admin reads it: "Line 7: alex@contoso — not a user principal name (name@domain)".
 * Problems with the file as a whole (line 0) read "The file: …".
 */
export function importProblemText(problem: ImportProblem | SummaryProblem, language: Language): string {
  const t = translator(language);
  const wave = 'wave' in problem && problem.wave ? problem.wave.name : '';
  const reason = t(`import.reason.${problem.reason}` as MessageKey, {
    firstLine: problem.firstLine ?? '',
    wave,
    max: MAX_IMPORT_ROWS,
    maxMb: Math.round(MAX_IMPORT_BYTES / (1024 * 1024)),
  });
  if (problem.line === 0) return t('import.problemFile', { reason });
  return t('import.problemLine', { line: problem.line, value: problem.value, reason });
}
