/**
 * Admins release a wave's corporate devices from the old MDM at once, after typing the wave's name.
 * Starting writes one `queued` release record per device (release-record.ts) and a bulk row; the
 * release job works through the queue paced per old MDM (`RELEASE_PACE_MS`), so a crash resumes where
 * it stopped, and keeps a progress card in the admin's chat current in place.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { renderReleaseBulkCard } from '../../cards/release-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { entriesOfJourney, type OldMdmEntry, oldMdmDeviceKey } from '../../domain/device-sources';
import type { SourceMdm } from '../../domain/source-mdm';
import { languageOf, translator } from '../../i18n';
import { addressOf } from '../../integrations/bot/teams-context';
import type { JobState } from '../../ports/store';
import { mapBounded } from '../../shared/bounded';
import { WAVE_NAME_INPUT_ID } from '../../verbs/release';
import type { AdminTurn } from '../admin/admin-turn';
import { waveParticipantsOf } from '../admin/recipients';
import { recordAudit } from '../audit';
import { oldMdmEntriesOf } from '../devices/device-facts';
import { wavesById } from '../waves';
import { allReleases, claimRelease } from './release-record';
import { isCompanyDevice, newRecord, stillListed } from './release-service';

export const BULK_PARTITION = 'old-mdm-release-bulk';

/**
 * Time between two releases of one old MDM. Each release costs two or three requests (look-up,
 * command, confirming look-up), one at a time: Workspace ONE documents no quota (its answers carry
 * X-RateLimit headers, which the connector honours on a 429), and Jamf Pro asks for no more than
 * five concurrent connections (docs/vendor-apis.md §1.6, §2.5).
 */
export const RELEASE_PACE_MS: Readonly<Record<string, number>> = { 'workspace-one': 1_000, jamf: 1_000 };
export const DEFAULT_PACE_MS = 1_000;

export const BulkData = z
  .object({ waveId: z.string().max(100).optional(), bulkId: z.string().max(100).optional() })
  .describe('wave');
export const BulkStartData = z
  .object({ waveId: z.string().min(1).max(100), [WAVE_NAME_INPUT_ID]: z.string().max(200).optional() })
  .describe('wave name');

export interface BulkRow extends JobState {
  waveId: string;
  waveName: string;
  by: string;
  byName?: string;
  startedAt: string;
  total: number;
  finished: boolean;
  locale: string;
  /** The admin's chat (JSON of the conversation address) and the progress card in it. */
  address?: string;
  cardActivityId?: string;
}

interface PlannedDevice {
  person: string;
  deviceKey: string;
  name: string;
  entry: OldMdmEntry;
}

/** The wave's members' corporate or supervised devices the old MDM still lists, where release is on. */
export async function planBulk(deps: Deps, waveId: string): Promise<PlannedDevice[]> {
  const members = await waveParticipantsOf(deps, waveId);
  const per = await mapBounded(members, 8, async (p) => {
    const entries = (await oldMdmEntriesOf(deps, p.aadObjectId)).filter(
      (e) => stillListed(e) && isCompanyDevice(e) && deps.oldMdmRelease?.has(e.device.source),
    );
    return entries.map((entry): PlannedDevice => {
      const journey = (p.journeys ?? []).find((j) => entriesOfJourney(j, [entry]).length > 0);
      return {
        person: p.aadObjectId.toLowerCase(),
        deviceKey: journey?.deviceKey ?? oldMdmDeviceKey(entry.device.source, entry.device.vendorId),
        name: journey?.name ?? entry.device.name ?? '',
        entry,
      };
    });
  });
  return per.flat();
}

function countBySource(devices: readonly { entry: OldMdmEntry }[]) {
  const counts = new Map<string, { vendor: SourceMdm; count: number }>();
  for (const d of devices) {
    const c = counts.get(d.entry.device.source) ?? { vendor: d.entry.vendor, count: 0 };
    c.count++;
    counts.set(d.entry.device.source, c);
  }
  return [...counts.values()];
}

function paceText(t: AdminTurn['audience']['t']): string {
  return t('release.bulk.pace', { seconds: DEFAULT_PACE_MS / 1000 });
}

export async function bulkPreview(turn: AdminTurn, data: z.infer<typeof BulkData>): Promise<CardJson> {
  const a = turn.audience;
  if (data.bulkId) return bulkProgress(turn, data);
  const wave = (await wavesById(turn.deps.store)).get(data.waveId ?? '');
  if (!wave) return renderMessageCardText(turn, a.t('release.bulk.noWave'));
  const planned = await planBulk(turn.deps, wave.id);
  return askCard(
    turn,
    wave,
    planned,
    planned.length === 0 ? { text: a.t('release.bulk.nothing'), style: 'accent' } : undefined,
  );
}

/** The card that asks for the wave's name, with what would be released per old MDM. */
function askCard(
  turn: AdminTurn,
  wave: { id: string; name: string },
  planned: Awaited<ReturnType<typeof planBulk>>,
  notice?: { text: string; style: 'accent' | 'attention' },
): CardJson {
  const a = turn.audience;
  const sources = countBySource(planned).map((s) => ({ ...s, vendorName: a.t(`vendor.${s.vendor}`) }));
  return renderReleaseBulkCard({
    t: a.t,
    waveId: wave.id,
    waveName: wave.name,
    sources,
    paceText: paceText(a.t),
    ask: true,
    ...(notice ? { notice } : {}),
  });
}

function renderMessageCardText(turn: AdminTurn, text: string): CardJson {
  return renderReleaseBulkCard({
    t: turn.audience.t,
    waveId: '',
    waveName: '',
    sources: [],
    paceText: paceText(turn.audience.t),
    notice: { text, style: 'warning' },
  });
}

export async function startBulk(turn: AdminTurn, data: z.infer<typeof BulkStartData>): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const wave = (await wavesById(deps.store)).get(data.waveId);
  if (!wave) return renderMessageCardText(turn, a.t('release.bulk.noWave'));
  const typed = (data[WAVE_NAME_INPUT_ID] ?? '').trim();
  const planned = await planBulk(deps, wave.id);
  if (typed !== wave.name.trim()) {
    const text = a.t('release.bulk.nameMismatch', { wave: wave.name });
    return askCard(turn, wave, planned, { text, style: 'attention' });
  }
  const bulkId = randomUUID();
  let queued = 0;
  for (const d of planned) {
    const target = { person: d.person, journey: { deviceKey: d.deviceKey, name: d.name }, entry: d.entry };
    const record = newRecord(target, turn.actor, turn.now, 'queued', bulkId);
    const claim = await claimRelease(deps.store, record, turn.now);
    if (claim.ok) queued++;
  }
  const address = addressOf(turn.context.activity);
  const row: BulkRow = {
    waveId: wave.id,
    waveName: wave.name,
    by: turn.actor.aadObjectId,
    ...(turn.actor.name ? { byName: turn.actor.name } : {}),
    startedAt: turn.now.toISOString(),
    total: queued,
    finished: queued === 0,
    locale: a.locale,
    ...(address ? { address: JSON.stringify(address) } : {}),
    ...(turn.cardActivityId ? { cardActivityId: turn.cardActivityId } : {}),
  };
  await deps.store.jobState.insert({ partitionKey: BULK_PARTITION, rowKey: bulkId }, row);
  await recordAudit(deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'old-mdm.release.bulk',
    target: wave.id,
    after: { bulkId, devices: queued, skipped: planned.length - queued },
  });
  deps.logger.info({ bulkId, wave: wave.id, devices: queued }, 'bulk release queued');
  return bulkCard(deps, bulkId, row, a.t);
}

export async function bulkProgress(turn: AdminTurn, data: z.infer<typeof BulkData>): Promise<CardJson> {
  const row = (
    await turn.deps.store.jobState.get({ partitionKey: BULK_PARTITION, rowKey: data.bulkId ?? '' })
  )?.value as BulkRow | undefined;
  if (!row) return renderMessageCardText(turn, turn.audience.t('release.bulk.noWave'));
  return bulkCard(turn.deps, data.bulkId!, row, turn.audience.t);
}

/** The progress card of a bulk release, counted from its release records. */
export async function bulkCard(
  deps: Deps,
  bulkId: string,
  row: BulkRow,
  t = translator(languageOf(row.locale)),
): Promise<CardJson> {
  const counts = { done: 0, failed: 0, waiting: 0 };
  const bySource = new Map<string, number>();
  const missing = new Set<string>();
  for await (const r of allReleases(deps.store)) {
    if (r.bulkId !== bulkId) continue;
    bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
    if (r.state === 'confirmed' || r.state === 'sent') counts.done++;
    else if (r.state === 'failed') {
      counts.failed++;
      if (r.failure === 'permission' && r.missing) missing.add(r.missing);
    } else counts.waiting++;
  }
  const sources = [...bySource].map(([source, count]) => {
    const vendor = (['workspace-one', 'jamf'].includes(source) ? source : 'other') as SourceMdm;
    return { vendor, vendorName: t(`vendor.${vendor}`), count };
  });
  return renderReleaseBulkCard({
    t,
    waveId: row.waveId,
    waveName: row.waveName,
    sources,
    paceText: t('release.bulk.pace', { seconds: DEFAULT_PACE_MS / 1000 }),
    progress: { bulkId, total: row.total, ...counts, finished: counts.waiting === 0 },
    missing: [...missing],
  });
}
