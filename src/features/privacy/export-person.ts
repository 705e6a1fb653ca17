/**
 * The right of access: one JSON document holding everything stored about a person, in the stored
 * field names (docs/privacy.md explains each), behind a signed link that expires like the CSV exports.
 */
import { renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import { signExport } from '../../exports/signed-link';
import { formatDateTime } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import type { AdminTurn } from '../admin/admin-turn';
import { recordAudit } from '../audit';
import { auditAbout, normaliseId, type PersonDeps, personRows } from './person-data';

export const PERSON_EXPORT_MINUTES = 15;

export interface PersonDocument {
  exportedAt: string;
  aadObjectId: string;
  /** Their participant row: name, UPN, locale, time zone, chat address, wave, device journeys. */
  participant: unknown;
  waveMembership: unknown;
  helpdeskTicket: unknown;
  broadcastDeliveries: unknown[];
  deviceOwnership: unknown[];
  oldMdmDevices: unknown[];
  oldMdmDevicesForPerson: unknown[];
  importDraftsMentioning: string[];
  oldMdmReleases: unknown[];
  /** When the old-MDM sync last asked for their journeys to be refreshed (a marker still waiting). */
  oldMdmChangeMarker: string | null;
  userNameMappings: unknown[];
  auditEvents: unknown[];
}

export async function personDocument(deps: PersonDeps, aadObjectId: string): Promise<PersonDocument> {
  const id = normaliseId(aadObjectId);
  const [rows, audit] = await Promise.all([personRows(deps, id), auditAbout(deps, id)]);
  return {
    exportedAt: deps.clock.now().toISOString(),
    aadObjectId: id,
    participant: rows.participant?.value ?? null,
    waveMembership: rows.waveMember ?? null,
    helpdeskTicket: rows.ticket ?? null,
    broadcastDeliveries: rows.deliveries,
    deviceOwnership: rows.deviceOwners,
    oldMdmDevices: rows.oldMdmDevices,
    oldMdmDevicesForPerson: rows.oldMdmByPerson.map((r) => r.value),
    importDraftsMentioning: rows.draftIds,
    oldMdmReleases: rows.releases,
    oldMdmChangeMarker: rows.personChangedAt ?? null,
    userNameMappings: rows.userNameMappings.map(({ userName, upn }) => ({ userName, upn })),
    auditEvents: audit,
  };
}

/** The admin's card with the person's download link; issuing it is audited (who looked at whom). */
export async function personExportCard(
  turn: AdminTurn,
  aadObjectId: string,
  label: string,
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const base = deps.config.publicBaseUrl;
  const back = [{ title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} }];
  if (!base || !deps.config.exportSigningKey) {
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('admin.export.unavailable'),
      style: 'attention',
      actions: back,
    });
  }
  const id = normaliseId(aadObjectId);
  const expiresAt = new Date(turn.now.getTime() + PERSON_EXPORT_MINUTES * 60_000);
  const path = signExport(
    { kind: 'person', personId: id, actorAadObjectId: turn.actor.aadObjectId, expiresAt },
    deps.config.exportSigningKey,
  );
  await recordAudit(deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: 'privacy.export.link',
    target: `person:${id}`,
    after: { expiresAt: expiresAt.toISOString() },
  });
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('privacy.export.title', { person: label }),
    links: [{ title: a.t('privacy.export.download'), url: `${base}${path}` }],
    linksNote: a.t('admin.export.note', {
      minutes: PERSON_EXPORT_MINUTES,
      time: formatDateTime(expiresAt, a.locale, a.timeZone),
    }),
    actions: back,
  });
}
