/** Action.Execute verbs and input ids of the runbook cards; shared by the card view models and the routes. */
export const RUNBOOK_VERBS = {
  /** The campaign's runbook (no waveId) or one wave's: data { waveId? }. */
  open: 'runbook.open',
  /** Record that the old MDM's conditional access no longer covers the wave: data { waveId } + note input. */
  recordOldMdm: 'runbook.oldMdm.record',
  /** The wave's conditional-access policies, member by member: data { waveId }. */
  policyState: 'runbook.policies',
  /** Announce an `immediate` wave although members are not covered yet: data { waveId } + reason input. */
  overrideImmediate: 'runbook.immediate.override',
} as const;

export type RunbookVerb = (typeof RUNBOOK_VERBS)[keyof typeof RUNBOOK_VERBS];

export const RUNBOOK_VERB_LIST: readonly RunbookVerb[] = Object.values(RUNBOOK_VERBS);

export const RUNBOOK_INPUTS = {
  /** The admin's note on the old-MDM change (what was changed, where). */
  note: 'runbookNote',
  /** Why an `immediate` wave goes out with members not covered. */
  reason: 'runbookReason',
} as const;
