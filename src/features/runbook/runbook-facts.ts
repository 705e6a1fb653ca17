/**
 * Everything a wave's runbook is computed from, gathered once: the admins' records, the wave's members
 * against conditional access (one cycle), the device funnel the dashboard counts, what the old MDM's
 * inventory still lists, and the waves after it. Read-only.
 */
import type { Deps } from '../../deps';
import { byWaveOrder, campaignKey, type Wave } from '../../domain/campaign';
import { checkMode, type ModeFinding, type WaveCoverage } from '../../domain/conditional-access';
import { participantKey } from '../../domain/participant';
import { isAnnounced, type RunbookStep, waveRunbook } from '../../domain/runbook';
import { mapBounded } from '../../shared/bounded';
import { statsOfWave } from '../admin/dashboard-service';
import { type PartnerFacts, partnerFacts } from '../conditional-access/partner-overlap';
import {
  AccessCycle,
  type AccessError,
  evaluateWaveAccess,
  waveMemberIds,
} from '../conditional-access/wave-access';
import { waveOldMdmOverview } from '../old-mdm/wave-old-mdm';
import { listWaves } from '../waves';
import { type RunbookRecords, readRunbookRecords } from './runbook-records';

export interface WaveRunbookView {
  wave: Wave;
  steps: RunbookStep[];
  records: RunbookRecords;
  coverage?: WaveCoverage | { error: AccessError };
  findings: ModeFinding[];
  memberIds: string[];
  partner: PartnerFacts;
  /** Display names of the members the findings name (at most MAX_NAMES of each list are looked up). */
  names: Map<string, string>;
}

const NAMES_PER_LIST = 10;

/** Waves of the campaign in order, and the voluntary wave's id. */
export async function campaignWaves(
  deps: Pick<Deps, 'store'>,
): Promise<{ waves: Wave[]; voluntaryWaveId?: string; name?: string }> {
  const [campaign, waves] = await Promise.all([
    deps.store.campaigns.get(campaignKey()),
    listWaves(deps.store),
  ]);
  waves.sort((a, b) => byWaveOrder(a, b) || a.id.localeCompare(b.id));
  return { waves, voluntaryWaveId: campaign?.value.voluntaryWaveId, name: campaign?.value.name };
}

/** Display names (else UPNs) of members, from their participant rows; ids without a row stay ids. */
async function namesOf(deps: Pick<Deps, 'store'>, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const rows = await mapBounded(
    [...new Set(ids)],
    8,
    async (id) => (await deps.store.participants.get(participantKey(id)))?.value,
  );
  for (const p of rows) {
    const name = p?.displayName ?? p?.userPrincipalName;
    if (p && name) names.set(p.aadObjectId.toLowerCase(), name);
  }
  return names;
}

export async function gatherWaveRunbook(
  deps: Deps,
  wave: Wave,
  now: Date,
  cycle = new AccessCycle(deps),
  campaign?: { waves: Wave[]; voluntaryWaveId?: string },
): Promise<WaveRunbookView> {
  const { waves, voluntaryWaveId } = campaign ?? (await campaignWaves(deps));
  const [records, access, stats, oldMdm, memberIds] = await Promise.all([
    readRunbookRecords(deps, wave.id),
    evaluateWaveAccess(deps, wave, cycle),
    statsOfWave(deps, wave, now),
    waveOldMdmOverview(deps, wave.id),
    waveMemberIds(deps, wave.id),
  ]);
  const coverage = access.ok ? access.coverage : { error: access.error };
  const later = waves.filter((w) => w.order > wave.order && w.id !== voluntaryWaveId && w.id !== wave.id);
  const main = waves.filter((w) => w.id !== voluntaryWaveId);
  const steps = waveRunbook({
    wave,
    now,
    ...(records.oldMdmChange ? { oldMdmChange: records.oldMdmChange } : {}),
    ...(records.immediateOverride ? { immediateOverride: records.immediateOverride } : {}),
    // "Not configured" is not an error of this wave: the steps wait instead of blocking.
    ...(access.ok
      ? { coverage: access.coverage }
      : access.error !== 'not-configured'
        ? { coverage: { error: access.error } }
        : {}),
    devices: {
      total: stats.funnel.devices,
      unenrolled: stats.funnel.reached.unenrolled,
      enrolled: stats.funnel.reached.enrolled,
    },
    ...(oldMdm ? { oldMdmListed: oldMdm.sources.reduce((n, s) => n + s.listed, 0) } : {}),
    laterWaves: { total: later.length, announced: later.filter(isAnnounced).length },
    retireReady: main.length > 0 && main.every((w) => w.state === 'evaluating' || w.state === 'closed'),
  });
  const findings = access.ok ? checkMode(wave.conditionalAccess, access.coverage, now) : [];
  const partner = await partnerFacts(deps, memberIds, access.ok ? access.coverage : undefined);
  const named = [
    ...findings.flatMap((f) => f.memberIds.slice(0, NAMES_PER_LIST)),
    ...partner.overlap.slice(0, NAMES_PER_LIST),
  ];
  return {
    wave,
    steps,
    records,
    ...(coverage ? { coverage } : {}),
    findings,
    memberIds,
    partner,
    names: await namesOf(deps, named),
  };
}
