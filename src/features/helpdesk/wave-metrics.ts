/**
 * Reads what `waveHelpdeskMetrics` needs for one wave: its members (the `wave-<id>` partition of
 * the membership index), their participant rows and their escalation rows (one per user, holding
 * the current ticket and the earlier summaries), then computes the metrics. Read-only.
 */
import { waveMemberKey } from '../../domain/campaign';
import { type Escalation, escalationKey } from '../../domain/escalation';
import { type WaveHelpdeskMetrics, waveHelpdeskMetrics } from '../../domain/helpdesk-metrics';
import { type Participant, participantKey } from '../../domain/participant';
import type { Store } from '../../ports/store';

/** Point reads in flight at once: enough to be quick on a large wave without flooding the table. */
const READS_IN_FLIGHT = 16;

export async function readWaveHelpdeskMetrics(
  store: Pick<Store, 'waveMembers' | 'participants' | 'escalations'>,
  waveId: string,
  now: Date,
): Promise<WaveHelpdeskMetrics> {
  const ids = new Set<string>();
  for await (const { value } of store.waveMembers.listPartition(waveMemberKey(waveId, '').partitionKey)) {
    if (value.aadObjectId) ids.add(value.aadObjectId.toLowerCase());
  }
  const participants: Participant[] = [];
  const escalations: Escalation[] = [];
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const [p, e] = await Promise.all([
        store.participants.get(participantKey(id)),
        store.escalations.get(escalationKey(id)),
      ]);
      if (p) participants.push(p.value);
      if (e) escalations.push(e.value);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, queue.length) }, worker));
  return waveHelpdeskMetrics(escalations, participants, waveId, now);
}
