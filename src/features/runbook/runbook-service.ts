/**
 * The runbook from the admin's side: the campaign's and each wave's card, the old-MDM change an admin
 * records (audited: who, when, the note), the audited override that lets an `immediate` wave be
 * announced before every member is covered, and the announce check the wave gate runs.
 */
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import { namesText, renderRunbookCampaignCard, renderRunbookWaveCard } from '../../cards/runbook-card';
import type { Deps } from '../../deps';
import { type Wave, waveKey } from '../../domain/campaign';
import { blockersOfAnnouncement, campaignStepState, currentStep, RUNBOOK_STEPS } from '../../domain/runbook';
import { formatDateTime, type Translate } from '../../i18n';
import type { AdminTurn } from '../admin/admin-turn';
import { recordAudit } from '../audit';
import { AccessCycle } from '../conditional-access/wave-access';
import { campaignWaves, gatherWaveRunbook, type WaveRunbookView } from './runbook-facts';
import { updateRunbookRecords } from './runbook-records';

/** A note or a reason of a word or two says nothing; the audit log should. */
export const MIN_NOTE = 10;
export const MAX_NOTE = 1_000;

function modeText(turn: Pick<AdminTurn, 'audience'>, wave: Wave): string {
  const { t, locale, timeZone } = turn.audience;
  const ca = wave.conditionalAccess;
  if (ca.kind === 'grace')
    return t('runbook.mode.grace', { date: formatDateTime(new Date(ca.endsAt), locale, timeZone) });
  return t(`runbook.mode.${ca.kind}`);
}

function render(
  turn: AdminTurn,
  v: WaveRunbookView,
  notice?: { text: string; style: 'good' | 'warning' | 'attention' | 'default' },
) {
  const a = turn.audience;
  return renderRunbookWaveCard({
    t: a.t,
    locale: a.locale,
    timeZone: a.timeZone,
    waveId: v.wave.id,
    waveName: v.wave.name,
    modeText: modeText(turn, v.wave),
    members: v.memberIds.length,
    steps: v.steps,
    ...(v.coverage ? { coverage: v.coverage } : {}),
    findings: v.findings,
    names: v.names,
    partner: v.partner,
    ...(v.records.immediateOverride ? { immediateOverride: v.records.immediateOverride } : {}),
    ...(notice ? { notice } : {}),
  });
}

function waveGone(turn: AdminTurn, waveId: string): CardJson {
  return renderMessageCard({
    title: turn.audience.t('admin.invalid.title'),
    text: turn.audience.t('admin.wave.notFound', { wave: waveId }),
    style: 'attention',
  });
}

/** One wave's runbook card; a fresh read of Graph each time it is opened (one cycle). */
export async function waveRunbookCard(
  turn: AdminTurn,
  waveId: string,
  notice?: { text: string; style: 'good' | 'warning' | 'attention' | 'default' },
): Promise<CardJson> {
  const wave = (await turn.deps.store.waves.get(waveKey(waveId)))?.value;
  if (!wave) return waveGone(turn, waveId);
  const cycle = new AccessCycle(turn.deps);
  const view = await gatherWaveRunbook(turn.deps, wave, turn.now, cycle);
  cycle.logCost(`the runbook of wave ${wave.id}`);
  return render(turn, view, notice);
}

/** The campaign's runbook: each step across the waves, and the step each wave is at. */
export async function campaignRunbookCard(turn: AdminTurn): Promise<CardJson> {
  const campaign = await campaignWaves(turn.deps);
  const cycle = new AccessCycle(turn.deps);
  const views: WaveRunbookView[] = [];
  // One wave at a time: each reads its members and the dashboard's numbers.
  for (const wave of campaign.waves)
    views.push(await gatherWaveRunbook(turn.deps, wave, turn.now, cycle, campaign));
  cycle.logCost('the campaign runbook');
  const a = turn.audience;
  return renderRunbookCampaignCard({
    t: a.t,
    locale: a.locale,
    timeZone: a.timeZone,
    campaignName: campaign.name ?? a.t('app.name'),
    steps: RUNBOOK_STEPS.map((id) => ({
      id,
      state: campaignStepState(views.map((v) => v.steps.find((s) => s.id === id)!.state)),
    })),
    waves: views.map((v) => ({ id: v.wave.id, name: v.wave.name, current: currentStep(v.steps) })),
  });
}

function checkNote(turn: AdminTurn, raw: string): string | { error: string } {
  const note = raw.trim();
  if (note.length < MIN_NOTE || note.length > MAX_NOTE)
    return { error: turn.audience.t('runbook.record.tooShort', { min: MIN_NOTE }) };
  return note;
}

/** Records that the old MDM's conditional access no longer covers the wave (who, when, the note). */
export async function recordOldMdmChange(turn: AdminTurn, waveId: string, raw: string): Promise<CardJson> {
  const note = checkNote(turn, raw);
  if (typeof note !== 'string')
    return waveRunbookCard(turn, waveId, { text: note.error, style: 'attention' });
  const wave = (await turn.deps.store.waves.get(waveKey(waveId)))?.value;
  if (!wave) return waveGone(turn, waveId);
  const record = { by: turn.actor.aadObjectId, byName: turn.actor.name, at: turn.now.toISOString(), note };
  let before: unknown = null;
  await updateRunbookRecords(turn.deps, waveId, (cur) => {
    before = cur.oldMdmChange ?? null;
    return { ...cur, oldMdmChange: record };
  });
  await recordAudit(turn.deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'runbook.old-mdm-ca.record',
    target: waveId,
    before: { oldMdmChange: before },
    after: { oldMdmChange: record },
    reason: note,
    onceKey: `runbook-old-mdm-${waveId}`,
  });
  return waveRunbookCard(turn, waveId, {
    text: turn.audience.t('runbook.record.done', { wave: wave.name }),
    style: 'good',
  });
}

/** Lets an `immediate` wave be announced although members are not covered; the reason is audited. */
export async function overrideImmediate(turn: AdminTurn, waveId: string, raw: string): Promise<CardJson> {
  const reason = checkNote(turn, raw);
  if (typeof reason !== 'string')
    return waveRunbookCard(turn, waveId, { text: reason.error, style: 'attention' });
  const wave = (await turn.deps.store.waves.get(waveKey(waveId)))?.value;
  if (!wave) return waveGone(turn, waveId);
  const view = await gatherWaveRunbook(turn.deps, wave, turn.now);
  const uncovered = view.findings.find((f) => f.kind === 'immediate-not-enforced')?.memberIds ?? [];
  const override = {
    by: turn.actor.aadObjectId,
    byName: turn.actor.name,
    at: turn.now.toISOString(),
    reason,
  };
  await updateRunbookRecords(turn.deps, waveId, (cur) => ({ ...cur, immediateOverride: override }));
  await recordAudit(turn.deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'runbook.immediate.override',
    target: waveId,
    before: { notEnforced: uncovered.length },
    after: { immediateOverride: override },
    reason,
    onceKey: `runbook-immediate-${waveId}`,
  });
  return waveRunbookCard(turn, waveId, {
    text: turn.audience.t('runbook.override.done', { wave: wave.name, count: uncovered.length }),
    style: 'good',
  });
}

/**
 * Why the wave may not be announced by its runbook (the old-MDM change not recorded; an `immediate`
 * wave with members no enabled policy covers and no override), in the admin's words; undefined when
 * nothing before "tell users" is missing.
 */
export async function runbookAnnounceBlock(
  deps: Deps,
  wave: Wave,
  t: Translate,
  now: Date,
): Promise<string | undefined> {
  const cycle = new AccessCycle(deps);
  const view = await gatherWaveRunbook(deps, wave, now, cycle);
  cycle.logCost(`the announce check of wave ${wave.id}`);
  const blockers = blockersOfAnnouncement(view.steps);
  if (blockers.includes('old-mdm-ca')) return t('runbook.block.oldMdm', { wave: wave.name });
  if (!blockers.includes('intune-ca-now')) return undefined;
  const c = view.coverage;
  if (c && 'error' in c)
    return t('runbook.block.caError', { wave: wave.name, reason: t(`runbook.caError.${c.error}`) });
  const ids = view.findings.find((f) => f.kind === 'immediate-not-enforced')?.memberIds ?? [];
  return t('runbook.block.immediate', {
    wave: wave.name,
    count: ids.length,
    names: namesText(t, ids, view.names),
  });
}
