import { renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import { signExport } from '../../exports/signed-link';
import { formatDateTime } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import { recordAudit } from '../audit';
import type { ExportCsvData } from './admin-payloads';
import type { AdminTurn } from './admin-turn';

/** Export links work this long. */
export const EXPORT_LINK_MINUTES = 15;

/** Signed, expiring download links, issued to this admin. */
export async function exportLinks(turn: AdminTurn, req: ExportCsvData): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const base = deps.config.publicBaseUrl;
  const key = deps.config.exportSigningKey;
  if (!base || !key) {
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('admin.export.unavailable'),
      style: 'attention',
      actions: [{ title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} }],
    });
  }
  const expiresAt = new Date(turn.now.getTime() + EXPORT_LINK_MINUTES * 60_000);
  const path = signExport(
    {
      kind: req.kind,
      ...(req.waveId ? { waveId: req.waveId } : {}),
      ...(req.broadcastId ? { broadcastId: req.broadcastId } : {}),
      actorAadObjectId: turn.actor.aadObjectId,
      expiresAt,
    },
    key,
  );
  await recordAudit(deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'export.link',
    target: req.waveId ?? req.broadcastId ?? 'all',
    after: { kind: req.kind, expiresAt: expiresAt.toISOString() },
    onceKey: `export-${req.kind}`,
  });
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t(
      req.kind === 'participants'
        ? 'admin.export.titleParticipants'
        : req.kind === 'deliveries'
          ? 'admin.export.titleDeliveries'
          : 'dashboard.review.exportTitle',
    ),
    links: [{ title: a.t('admin.export.download'), url: `${base}${path}` }],
    linksNote: a.t('admin.export.note', {
      minutes: EXPORT_LINK_MINUTES,
      time: formatDateTime(expiresAt, a.locale, a.timeZone),
    }),
    actions: [
      req.waveId
        ? { title: a.t('admin.back'), verb: ADMIN_VERBS.openWave, data: { waveId: req.waveId } }
        : { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  });
}
