import type { CardJson } from '../../cards/render';
import { type Wave, waveKey } from '../../domain/campaign';
import { recordAudit } from '../audit';
import { runbookAnnounceBlock } from '../runbook/runbook-service';
import type { AdminTurn } from './admin-turn';
import { announceBlockOf } from './dashboard-service';
import { waveHome } from './dashboards';

/** A written reason is required to override a failed gate; a word or two is not a reason. */
export const MIN_OVERRIDE_REASON = 10;
export const MAX_OVERRIDE_REASON = 1_000;

/** Why the wave may not be announced yet (its predecessor's gate failed, or its runbook's earlier steps are not done), in the admin's words; undefined when it may. */
export async function announceBlock(turn: AdminTurn, wave: Wave): Promise<string | undefined> {
  const gate = await announceBlockOf(turn.deps, wave, turn.audience.language, turn.now);
  if (gate) return gate;
  // The runbook's steps before "tell users" (where conditional access is read): see src/features/runbook.
  if (!turn.deps.conditionalAccess) return undefined;
  return runbookAnnounceBlock(turn.deps, wave, turn.audience.t, turn.now);
}

/**
 * Lets the wave after `waveId` be announced although `waveId`'s gate failed. The reason is stored on
 * the wave and in the audit log with the gate's state before and after.
 */
export async function overrideGate(
  turn: AdminTurn,
  waveId: string,
  reasonRaw: string,
  /** The wave whose dashboard the admin was on (the one the override lets go ahead). */
  returnTo?: string,
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const back = returnTo ?? waveId;
  const reason = reasonRaw.trim();
  if (reason.length < MIN_OVERRIDE_REASON) {
    return waveHome(turn, back, a.t('admin.gate.reasonTooShort', { min: MIN_OVERRIDE_REASON }), 'attention');
  }
  if (reason.length > MAX_OVERRIDE_REASON) {
    return waveHome(turn, back, a.t('admin.gate.reasonTooLong', { max: MAX_OVERRIDE_REASON }), 'attention');
  }
  let before: Wave['gateOverride'];
  const saved = await deps.store.waves.update(waveKey(waveId), (w) => {
    if (!w) return undefined;
    before = w.gateOverride;
    return {
      ...w,
      gateOverride: {
        by: turn.actor.aadObjectId,
        byName: turn.actor.name,
        reason,
        at: turn.now.toISOString(),
      },
      updatedAt: turn.now.toISOString(),
    };
  });
  if (!saved) return waveHome(turn, back);
  await recordAudit(deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'gate.override',
    target: waveId,
    before: { gateOverride: before ?? null },
    after: { gateOverride: saved.gateOverride },
    reason,
    onceKey: `gate-${waveId}`,
  });
  return waveHome(turn, back, a.t('admin.gate.overridden', { wave: saved.name }));
}
