import { MAX_LIST_ROWS, type PanelSection, renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { inventoryPartitions } from '../../domain/inventory';
import { participantRetirement, retirementReport } from '../../domain/retirement';
import { type OldMdmDeviceLeft, oldMdmRetirement } from '../../domain/retirement-old-mdm';
import { forEachBounded } from '../../shared/bounded';
import { ADMIN_VERBS } from '../../verbs/admin';
import { vendorOfSource } from '../old-mdm/match-views';
import { wavesById } from '../waves';
import type { AdminTurn } from './admin-turn';
import { everyParticipant } from './recipients';

/**
 * The devices the old MDM still lists that block retiring it, read partition by partition so that
 * only those are kept (the inventory can hold every device of the organisation).
 */
async function oldMdmLeft(
  deps: Pick<Deps, 'store'>,
  participants: ReadonlyMap<string, ReturnType<typeof participantRetirement>>,
): Promise<{ left: OldMdmDeviceLeft[]; excluded: number; read: boolean }> {
  const left: OldMdmDeviceLeft[] = [];
  let excluded = 0;
  let read = false;
  await forEachBounded(inventoryPartitions(), 8, async (partition) => {
    const rows = [];
    for await (const { value } of deps.store.oldMdmDevices.listPartition(partition)) rows.push(value);
    if (rows.length > 0) read = true;
    const r = oldMdmRetirement(rows, participants);
    left.push(...r.left);
    excluded += r.excluded;
  });
  left.sort((x, y) =>
    x.source === y.source ? (x.vendorId < y.vendorId ? -1 : 1) : x.source < y.source ? -1 : 1,
  );
  return { left, excluded, read };
}

/**
 * Whether the old MDM can be switched off: everyone migrated or excluded with a reason, and — where
 * its inventory is read — the old MDM itself lists no device of the campaign that is not excluded.
 */
export async function retireReport(turn: AdminTurn): Promise<CardJson> {
  const { audience: a } = turn;
  const waves = await wavesById(turn.deps.store);
  const participants = await everyParticipant(turn.deps);
  const report = retirementReport(participants);
  const byId = new Map(participants.map((p) => [p.aadObjectId.toLowerCase(), participantRetirement(p)]));
  const old = await oldMdmLeft(turn.deps, byId);
  const ready = report.ready && old.left.length === 0;
  const nf = new Intl.NumberFormat(a.locale);
  const sections: PanelSection[] = [];
  if (old.left.length > 0) {
    const ownerName = (id: string | undefined) => {
      const p = id ? byId.get(id) : undefined;
      return p ? (p.displayName ?? p.userPrincipalName ?? p.aadObjectId) : a.t('admin.retire.ownerUnknown');
    };
    sections.push({
      heading: a.t('admin.retire.oldMdmLeft', { count: nf.format(old.left.length) }),
      lines: old.left.slice(0, MAX_LIST_ROWS).map((d) =>
        a.t('admin.retire.oldMdmLine', {
          device: d.name ?? a.t(`platform.${d.platform}`),
          vendor: a.t(`vendor.${vendorOfSource(d.source, turn.deps.config.sourceMdm)}`),
          owner: ownerName(d.ownerId),
        }),
      ),
      more:
        old.left.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: old.left.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  if (report.excluded.length > 0) {
    sections.push({
      heading: a.t('admin.retire.excluded', { count: nf.format(report.excluded.length) }),
      lines: report.excluded
        .slice(0, MAX_LIST_ROWS)
        .map((x) => `${x.displayName ?? x.userPrincipalName ?? x.aadObjectId}: ${x.reasons.join('; ')}`),
      more:
        report.excluded.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: report.excluded.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  if (report.remaining.length > 0) {
    sections.push({
      heading: a.t('admin.retire.remaining', { count: nf.format(report.remaining.length) }),
      lines: report.remaining
        .slice(0, MAX_LIST_ROWS)
        .map(
          (x) =>
            `${x.displayName ?? x.userPrincipalName ?? x.aadObjectId}${x.waveId ? ` (${waves.get(x.waveId)?.name ?? x.waveId})` : ''}`,
        ),
      more:
        report.remaining.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: report.remaining.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('admin.retire.title'),
    style: ready ? 'good' : 'warning',
    notice: ready
      ? a.t('admin.retire.ready')
      : report.ready
        ? a.t('admin.retire.notReadyOldMdm')
        : a.t('admin.retire.notReady'),
    noticeStyle: ready ? 'good' : 'warning',
    facts: [
      { title: a.t('admin.retire.migrated'), value: nf.format(report.migrated.length) },
      { title: a.t('admin.retire.excludedCount'), value: nf.format(report.excluded.length) },
      { title: a.t('admin.retire.remainingCount'), value: nf.format(report.remaining.length) },
      ...(old.read ? [{ title: a.t('admin.retire.oldMdmCount'), value: nf.format(old.left.length) }] : []),
    ],
    sections,
    actions: [
      {
        title: a.t('admin.export.participants'),
        verb: ADMIN_VERBS.exportCsv,
        data: { kind: 'participants' },
      },
      { title: a.t('admin.stragglers.title'), verb: ADMIN_VERBS.stragglers, data: {} },
      { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  });
}
