/**
 * The one-wave rule, applied to an import: given the imported users (found in the directory or not)
 * and the wave each of them sits in now, decide per user what saving the import would do.
 *
 * A user sits in at most one wave. Someone already in another wave stays there unless the admin
 * explicitly chooses to move them (`move: true`), and a move is only possible out of a wave whose
 * users have not been told anything yet (`draft` or `scheduled`): once a wave is announced its members
 * have received dates and instructions for it, and once it is evaluated or closed its results are on
 * record. Members are added only to waves that are not being evaluated or closed (`canAddMembers`).
 */
import type { WaveState } from './campaign';
import { type ImportProblem, type ImportProblemCode, isBlocking } from './member-import';

export interface WaveRef {
  id: string;
  name: string;
  /** Absent for a wave that is not stored yet (created by this import). */
  state?: WaveState;
}

/** The directory's answer for one imported UPN. */
export interface ResolvedEntry {
  line: number;
  upn: string;
  user?: { id: string; userPrincipalName: string; displayName?: string };
  /** The directory could not be asked (it kept failing); the user is neither added nor reported missing. */
  lookupFailed?: boolean;
}

export interface MemberToSave {
  aadObjectId: string;
  userPrincipalName: string;
  displayName?: string;
  /** Line of the import the user came from, for reports. */
  line?: number;
  /** Move the user out of this wave (the admin chose to); without it a user in another wave is not touched. */
  moveFrom?: string;
}

export interface OtherWaveMember extends MemberToSave {
  otherWaveId: string;
  otherWaveName: string;
  otherWaveState?: WaveState;
  /** Whether the admin could choose to move the user (the other wave is not announced yet). */
  movable: boolean;
}

export type MembershipProblemCode =
  /** No such user in the directory. */
  | 'not-in-directory'
  /** In another wave; could be moved if the admin chooses to. */
  | 'in-another-wave'
  /** In another wave that is already announced (or later): cannot be moved. */
  | 'in-announced-wave'
  /** The directory kept failing for this user; try again. */
  | 'lookup-failed'
  /** The same user as an earlier line (another UPN of the same account). */
  | 'same-user';

export type SummaryProblemCode = ImportProblemCode | MembershipProblemCode;

export interface SummaryProblem {
  line: number;
  value: string;
  reason: SummaryProblemCode;
  firstLine?: number;
  /** For the in-another-wave problems: the wave the user sits in. */
  wave?: { id: string; name: string };
}

export interface ImportSummary {
  counts: {
    /** Users the import named (valid, distinct UPNs). */
    entries: number;
    add: number;
    move: number;
    alreadyInWave: number;
    inOtherWave: number;
    notFound: number;
    lookupFailed: number;
    sameUser: number;
    /** Rows the parser refused (bad UPNs, duplicates, empty cells, file-level problems). */
    invalidRows: number;
  };
  /** The first problems by line number (parse and membership together). */
  problems: SummaryProblem[];
  /** Problems beyond those listed. */
  moreProblems: number;
  /** Saving is refused: a file-level problem, or a wave that takes no members (`blockedBy`). */
  blocked: boolean;
  blockedBy?: ImportProblemCode | 'wave-not-open';
}

export interface MembershipPlan {
  wave: WaveRef;
  /** In no wave yet: added on save. */
  add: MemberToSave[];
  /** In another wave and the admin chose to move them (each carries `moveFrom`). */
  move: MemberToSave[];
  alreadyInWave: MemberToSave[];
  /** In another wave and staying there. */
  inOtherWave: OtherWaveMember[];
  notFound: { line: number; upn: string }[];
  lookupFailed: { line: number; upn: string }[];
  sameUser: { line: number; upn: string; firstLine: number }[];
  summary: ImportSummary;
}

export interface MembershipInput {
  /** The wave the import is for. */
  wave: WaveRef;
  entries: readonly ResolvedEntry[];
  /** The wave each user sits in now (the participant row's `waveId`), by lower-case object id. */
  currentWaveOf: ReadonlyMap<string, string>;
  /** Every stored wave; a `waveId` naming no stored wave counts as no wave. */
  waves: readonly WaveRef[];
  /** The admin chose to move users out of waves that are not announced yet. */
  move?: boolean;
  /** The parser's problems, shown with the membership problems. */
  parseProblems?: readonly ImportProblem[];
  /** How many problems the summary lists (default DEFAULT_SUMMARY_PROBLEMS). */
  maxProblems?: number;
}

export const DEFAULT_SUMMARY_PROBLEMS = 20;

/** Users may be moved out of a wave only while its users have not been told about it. */
export function canMoveFrom(state: WaveState | undefined): boolean {
  return state === undefined || state === 'draft' || state === 'scheduled';
}

/** A wave takes new members until its results are being evaluated. */
export function canAddMembers(state: WaveState | undefined): boolean {
  return state !== 'evaluating' && state !== 'closed';
}

export function decideMembership(input: MembershipInput): MembershipPlan {
  const { wave } = input;
  const wavesById = new Map(input.waves.map((w) => [w.id, w]));
  const plan: Omit<MembershipPlan, 'summary'> = {
    wave,
    add: [],
    move: [],
    alreadyInWave: [],
    inOtherWave: [],
    notFound: [],
    lookupFailed: [],
    sameUser: [],
  };
  const problems: SummaryProblem[] = [...(input.parseProblems ?? [])];
  const seen = new Map<string, number>();

  for (const entry of input.entries) {
    if (entry.lookupFailed) {
      plan.lookupFailed.push({ line: entry.line, upn: entry.upn });
      problems.push({ line: entry.line, value: entry.upn, reason: 'lookup-failed' });
      continue;
    }
    if (!entry.user) {
      plan.notFound.push({ line: entry.line, upn: entry.upn });
      problems.push({ line: entry.line, value: entry.upn, reason: 'not-in-directory' });
      continue;
    }
    const id = entry.user.id.toLowerCase();
    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      plan.sameUser.push({ line: entry.line, upn: entry.upn, firstLine });
      problems.push({ line: entry.line, value: entry.upn, reason: 'same-user', firstLine });
      continue;
    }
    seen.set(id, entry.line);
    const member: MemberToSave = {
      aadObjectId: id,
      userPrincipalName: entry.user.userPrincipalName.toLowerCase(),
      ...(entry.user.displayName ? { displayName: entry.user.displayName } : {}),
      line: entry.line,
    };
    const currentId = input.currentWaveOf.get(id);
    const current = currentId === undefined ? undefined : wavesById.get(currentId);
    if (currentId === wave.id) plan.alreadyInWave.push(member);
    else if (!current) plan.add.push(member);
    else if (input.move && canMoveFrom(current.state)) plan.move.push({ ...member, moveFrom: current.id });
    else {
      const movable = canMoveFrom(current.state);
      plan.inOtherWave.push({
        ...member,
        otherWaveId: current.id,
        otherWaveName: current.name,
        ...(current.state ? { otherWaveState: current.state } : {}),
        movable,
      });
      problems.push({
        line: entry.line,
        value: member.userPrincipalName,
        reason: movable ? 'in-another-wave' : 'in-announced-wave',
        wave: { id: current.id, name: current.name },
      });
    }
  }

  problems.sort((a, b) => a.line - b.line);
  const max = Math.max(0, input.maxProblems ?? DEFAULT_SUMMARY_PROBLEMS);
  const parseProblems = input.parseProblems ?? [];
  const fileProblem = parseProblems.find((p) => isBlocking([p]));
  const open = canAddMembers(wave.state);
  const summary: ImportSummary = {
    counts: {
      entries: input.entries.length,
      add: plan.add.length,
      move: plan.move.length,
      alreadyInWave: plan.alreadyInWave.length,
      inOtherWave: plan.inOtherWave.length,
      notFound: plan.notFound.length,
      lookupFailed: plan.lookupFailed.length,
      sameUser: plan.sameUser.length,
      invalidRows: parseProblems.length,
    },
    problems: problems.slice(0, max),
    moreProblems: Math.max(0, problems.length - max),
    blocked: Boolean(fileProblem) || !open,
    ...(fileProblem
      ? { blockedBy: fileProblem.reason }
      : !open
        ? { blockedBy: 'wave-not-open' as const }
        : {}),
  };
  return { ...plan, summary };
}

/** Who saving the plan writes: the new members and, when chosen, the moved ones; nobody when blocked. */
export function membersToSave(plan: MembershipPlan): MemberToSave[] {
  return plan.summary.blocked ? [] : [...plan.add, ...plan.move];
}
