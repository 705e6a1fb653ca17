import { waveKey } from '../../domain/campaign';
import { participantKey } from '../../domain/participant';
import { recordAudit } from '../audit';
import { reminderCard } from '../journey/reminder';
import type { AdminTurn } from './admin-turn';

/** Re-sends one user a reminder now (outside the usual cadence); the admin sees a banner. */
export async function nudgeUser(turn: AdminTurn, aadObjectId: string): Promise<string> {
  const { deps, audience: a } = turn;
  const p = (await deps.store.participants.get(participantKey(aadObjectId)))?.value;
  if (!p) return a.t('admin.nudge.unknown');
  const wave = p.waveId ? (await deps.store.waves.get(waveKey(p.waveId)))?.value : undefined;
  if (!p.conversation || !wave) return a.t('admin.nudge.noChat', { name: p.displayName ?? aadObjectId });
  await deps.messenger.send(p.conversation, reminderCard(deps, p, wave));
  await recordAudit(deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'participant.nudge',
    target: aadObjectId,
    onceKey: `nudge-${aadObjectId}`,
  });
  return a.t('admin.nudge.sent', { name: p.displayName ?? p.userPrincipalName ?? aadObjectId });
}
