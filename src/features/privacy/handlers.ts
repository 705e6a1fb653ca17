/**
 * The admin's privacy commands: erase one person (after a confirmation that names them and what will
 * go), export one person's data, re-add an erased person. The person is named by UPN or object id.
 */
import { z } from 'zod';
import { renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import { participantKey } from '../../domain/participant';
import { ADMIN_VERBS } from '../../verbs/admin';
import { PRIVACY_COMMAND, PRIVACY_VERBS, privacyCommandOf } from '../../verbs/privacy';
import type { AdminTurn } from '../admin/admin-turn';
import { erasePerson, restorePerson } from './erase';
import { personExportCard } from './export-person';
import { countsOf, normaliseId, personRows } from './person-data';

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12,13}$/i;

export const EraseData = z
  .object({ aadObjectId: z.string().regex(OBJECT_ID) })
  .describe('the person to erase');

interface Person {
  aadObjectId: string;
  /** Name and UPN, for the admin's eyes only (never logged). */
  label: string;
}

/** The person a command names: by object id from storage, else by UPN through the directory. */
async function findPerson(turn: AdminTurn, who: string): Promise<Person | undefined> {
  const { deps } = turn;
  let id = OBJECT_ID.test(who) ? normaliseId(who) : undefined;
  let user: { displayName?: string; userPrincipalName?: string } | undefined;
  if (!id) {
    const found = await deps.directory.findUser(who).catch(() => undefined);
    if (!found) return undefined;
    id = normaliseId(found.id);
    user = found;
  }
  const p = (await deps.store.participants.get(participantKey(id)))?.value;
  if (!p && !user) return undefined;
  const name = p?.displayName ?? user?.displayName;
  const upn = p?.userPrincipalName ?? user?.userPrincipalName;
  return {
    aadObjectId: id,
    label: [name, upn && upn !== name ? `(${upn})` : undefined].filter(Boolean).join(' ') || id,
  };
}

const home = (turn: AdminTurn) => ({
  title: turn.audience.t('admin.back'),
  verb: ADMIN_VERBS.home,
  data: {},
});

/** "erase …", "export …", "restore …" in the admin's 1:1 chat. */
export async function privacyCommand(turn: AdminTurn): Promise<CardJson> {
  const a = turn.audience;
  const m = PRIVACY_COMMAND.exec(turn.context.activity.text ?? '');
  const who = m?.[2] ?? '';
  const person = who ? await findPerson(turn, who) : undefined;
  if (!m || !person) {
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('privacy.notFound'),
      style: 'attention',
      actions: [home(turn)],
    });
  }
  const command = privacyCommandOf(m[1]!);
  if (command === 'export') return personExportCard(turn, person.aadObjectId, person.label);
  if (command === 'restore') {
    const restored = await restorePerson(turn.deps, person.aadObjectId, turn.actor);
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t(restored ? 'privacy.restore.done' : 'privacy.restore.notErased', { person: person.label }),
      style: restored ? 'good' : 'default',
      actions: [home(turn)],
    });
  }
  return eraseConfirmation(turn, person);
}

async function eraseConfirmation(turn: AdminTurn, person: Person): Promise<CardJson> {
  const a = turn.audience;
  const rows = await personRows(turn.deps, person.aadObjectId);
  const c = countsOf(rows);
  const fact = (key: Parameters<typeof a.t>[0], n: number) => ({ title: a.t(key), value: String(n) });
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('privacy.erase.title', { person: person.label }),
    style: 'attention',
    notice: rows.participant?.value.erasedAt ? a.t('privacy.erase.already') : a.t('privacy.erase.notice'),
    noticeStyle: 'warning',
    facts: [
      fact('privacy.erase.journeys', c.journeys),
      fact('privacy.erase.ticket', c.ticket),
      fact('privacy.erase.deliveries', c.deliveries),
      fact('privacy.erase.deviceOwners', c.deviceOwners),
      fact('privacy.erase.oldMdm', c.oldMdmDevices),
      fact('privacy.erase.drafts', c.drafts),
      fact('privacy.erase.releases', c.releases),
      fact('privacy.erase.userNames', c.userNames),
    ],
    actions: [
      {
        title: a.t('privacy.erase.confirm'),
        verb: PRIVACY_VERBS.confirmErase,
        data: { aadObjectId: person.aadObjectId },
        style: 'destructive',
      },
      { ...home(turn), title: a.t('privacy.erase.cancel') },
    ],
  });
}

/** The confirmation's button: erases, and says what went. Pressing it twice erases once. */
export async function confirmErase(turn: AdminTurn, data: z.infer<typeof EraseData>): Promise<CardJson> {
  const a = turn.audience;
  const result = await erasePerson(turn.deps, data.aadObjectId, turn.actor);
  const c = result.counts;
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t(result.erased ? 'privacy.erase.done' : 'privacy.erase.already'),
    style: 'good',
    facts: result.erased
      ? [
          { title: a.t('privacy.erase.journeys'), value: String(c.journeys) },
          { title: a.t('privacy.erase.ticket'), value: String(c.ticket) },
          { title: a.t('privacy.erase.deliveries'), value: String(c.deliveries) },
          { title: a.t('privacy.erase.deviceOwners'), value: String(c.deviceOwners) },
          { title: a.t('privacy.erase.oldMdm'), value: String(c.oldMdmDevices) },
          { title: a.t('privacy.erase.drafts'), value: String(c.drafts) },
          { title: a.t('privacy.erase.releases'), value: String(c.releases) },
          { title: a.t('privacy.erase.userNames'), value: String(c.userNames) },
        ]
      : [],
    actions: [home(turn)],
  });
}
