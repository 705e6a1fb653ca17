/**
 * What admins recorded for a wave's runbook (the old-MDM change, an `immediate` override) and the
 * days the grace-end job already prompted them: one jobState row per wave, every write an ETag
 * read-modify-write so two instances never lose each other's change.
 */
import type { Deps } from '../../deps';
import type { ImmediateOverride, OldMdmChangeRecord } from '../../domain/runbook';
import type { EntityKey, JobState } from '../../ports/store';

export const RUNBOOK_PARTITION = 'runbook';

export const runbookKey = (waveId: string): EntityKey => ({
  partitionKey: RUNBOOK_PARTITION,
  rowKey: encodeURIComponent(waveId),
});

export interface RunbookRecords {
  oldMdmChange?: OldMdmChangeRecord;
  immediateOverride?: ImmediateOverride;
  /** Local day (YYYY-MM-DD, campaign zone) the grace-end prompt or the daily warning last went out. */
  promptedOn?: string;
}

function parse<T>(json: unknown): T | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}

function fromRow(row: JobState | undefined): RunbookRecords {
  if (!row) return {};
  const oldMdmChange = parse<OldMdmChangeRecord>(row.oldMdmChange);
  const immediateOverride = parse<ImmediateOverride>(row.immediateOverride);
  return {
    ...(oldMdmChange ? { oldMdmChange } : {}),
    ...(immediateOverride ? { immediateOverride } : {}),
    ...(typeof row.promptedOn === 'string' ? { promptedOn: row.promptedOn } : {}),
  };
}

function toRow(r: RunbookRecords): JobState {
  return {
    ...(r.oldMdmChange ? { oldMdmChange: JSON.stringify(r.oldMdmChange) } : {}),
    ...(r.immediateOverride ? { immediateOverride: JSON.stringify(r.immediateOverride) } : {}),
    ...(r.promptedOn ? { promptedOn: r.promptedOn } : {}),
  };
}

export async function readRunbookRecords(deps: Pick<Deps, 'store'>, waveId: string): Promise<RunbookRecords> {
  return fromRow((await deps.store.jobState.get(runbookKey(waveId)))?.value);
}

/**
 * Changes the wave's records; `change` returns undefined to leave them as they are. Returns the
 * records as written (or as found, when nothing changed) and whether this call wrote them.
 */
export async function updateRunbookRecords(
  deps: Pick<Deps, 'store'>,
  waveId: string,
  change: (cur: RunbookRecords) => RunbookRecords | undefined,
): Promise<{ records: RunbookRecords; changed: boolean }> {
  let changed = false;
  let records: RunbookRecords = {};
  await deps.store.jobState.update(runbookKey(waveId), (row) => {
    const cur = fromRow(row);
    const next = change(cur);
    changed = next !== undefined;
    records = next ?? cur;
    return next ? toRow(next) : undefined;
  });
  return { records, changed };
}
