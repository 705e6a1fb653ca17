import type { Application, TurnState } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { RUNBOOK_INPUTS, RUNBOOK_VERB_LIST, RUNBOOK_VERBS, type RunbookVerb } from '../../verbs/runbook';
import { type AdminRoute, adminAction } from '../admin/admin-action';
import {
  campaignRunbookCard,
  MAX_NOTE,
  overrideImmediate,
  recordOldMdmChange,
  waveRunbookCard,
} from './runbook-service';

const id = z.string().trim().min(1).max(200);

export const OpenRunbookData = z.object({ waveId: z.string().trim().max(200).optional() }).describe('wave');
export const WaveData = z.object({ waveId: id }).describe('wave');
export const NoteData = z
  .object({
    waveId: id,
    [RUNBOOK_INPUTS.note]: z
      .string()
      .max(MAX_NOTE * 5)
      .optional(),
  })
  .describe('note');
export const ReasonData = z
  .object({
    waveId: id,
    [RUNBOOK_INPUTS.reason]: z
      .string()
      .max(MAX_NOTE * 5)
      .optional(),
  })
  .describe('reason');

/** The runbook's buttons: admins only, payloads checked at the route (`adminAction`). */
const ROUTES: Record<RunbookVerb, (deps: Deps) => AdminRoute> = {
  [RUNBOOK_VERBS.open]: adminAction(OpenRunbookData, (turn, d) =>
    d.waveId ? waveRunbookCard(turn, d.waveId) : campaignRunbookCard(turn),
  ),
  [RUNBOOK_VERBS.policyState]: adminAction(WaveData, (turn, d) =>
    waveRunbookCard(turn, d.waveId, {
      text: turn.audience.t('runbook.section.policies'),
      style: 'default',
    }),
  ),
  [RUNBOOK_VERBS.recordOldMdm]: adminAction(NoteData, (turn, d) =>
    recordOldMdmChange(turn, d.waveId, d[RUNBOOK_INPUTS.note] ?? ''),
  ),
  [RUNBOOK_VERBS.overrideImmediate]: adminAction(ReasonData, (turn, d) =>
    overrideImmediate(turn, d.waveId, d[RUNBOOK_INPUTS.reason] ?? ''),
  ),
};

export function register(app: Application<TurnState>, deps: Deps): void {
  for (const verb of RUNBOOK_VERB_LIST) app.adaptiveCards.actionExecute(verb, ROUTES[verb](deps));
}
