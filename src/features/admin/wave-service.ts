import { renderAdminPanel } from '../../cards/admin-panel-card';
import { appleMigrationSummary } from '../../cards/journey-apple-section';
import type { CardJson } from '../../cards/render';
import { renderWaveEditorCard } from '../../cards/wave-editor-card';
import { campaignKey, type Wave, type WaveSource, waveKey } from '../../domain/campaign';
import { type ImportProblem, parsePastedList } from '../../domain/member-import';
import type { MemberToSave } from '../../domain/wave-membership';
import type { MessageKey } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import { recordAudit } from '../audit';
import { listWaves } from '../waves';
import type { AdminTurn } from './admin-turn';
import { waveHome } from './dashboards';
import { deleteImportDraft, type ImportDraft, loadImportDraft, saveImportDraft } from './import-drafts';
import { loadUpload } from './import-file';
import { importProblemText as problemLine, type ResolvedImport, resolveImport } from './member-resolve';
import { saveMembers } from './member-save';
import { applyWaveSettings, parseWaveForm, type WaveFormProblem, waveIdFor } from './wave-form';

/** At most this many problem lines on a preview card; the rest are counted. */
export const MAX_PROBLEM_LINES = 20;

function problemText(turn: AdminTurn, p: WaveFormProblem): string {
  const t = turn.audience.t;
  return t('admin.editor.problem', {
    field: t(`admin.editor.field.${p.field}` as MessageKey),
    problem: t(`admin.editor.code.${p.code}` as MessageKey, { value: p.value ?? '' }),
  });
}

/** The wave editor: a new wave, or an existing one with its current settings. */
export async function editWaveCard(turn: AdminTurn, waveId?: string): Promise<CardJson> {
  const waves = await listWaves(turn.deps.store);
  const wave = waveId ? waves.find((w) => w.id === waveId) : undefined;
  if (waveId && !wave) return waveHome(turn, waveId);
  return renderWaveEditorCard({
    t: turn.audience.t,
    wave,
    zone: turn.deps.config.defaults.timeZone,
    nextOrder: Math.max(0, ...waves.map((w) => w.order)) + 1,
    now: turn.now,
  });
}

/**
 * Checks the editor's inputs and builds the import preview. Nothing is stored but a draft that only
 * this admin can confirm; bad rows are listed with their line numbers.
 */
export async function previewWave(turn: AdminTurn, data: Record<string, unknown>): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const waveId = typeof data.waveId === 'string' && data.waveId ? data.waveId : undefined;
  const uploadId = typeof data.uploadId === 'string' && data.uploadId ? data.uploadId : undefined;
  const waves = await listWaves(deps.store);
  const existing = waveId ? waves.find((w) => w.id === waveId) : undefined;
  if (waveId && !existing) return waveHome(turn, waveId);
  const form = parseWaveForm(data, {
    zone: deps.config.defaults.timeZone,
    hours: deps.config.defaults.businessHours,
    existing,
  });
  const editorAgain = (problems: string[]) =>
    renderWaveEditorCard({
      t: a.t,
      wave: existing,
      zone: deps.config.defaults.timeZone,
      entered: data,
      problems,
      now: turn.now,
    });
  if (!form.settings) return editorAgain(form.problems.map((p) => problemText(turn, p)));

  const id = existing?.id ?? waveIdFor(form.settings.name, new Set(waves.map((w) => w.id)));
  let source: WaveSource | undefined = existing?.source;
  let resolved: ResolvedImport | undefined;
  let parseProblems: ImportProblem[] = [];
  if (uploadId) {
    // A CSV file sent in the chat, now imported into the wave the admin picked.
    const upload = await loadUpload(turn, uploadId);
    if (!upload) return editorAgain([a.t('admin.import.draftGone')]);
    parseProblems = upload.parseProblems;
    resolved = await resolveImport(deps, upload.settings.entries, id, {
      parseProblems,
      waveName: form.settings.name,
    });
    source = { kind: 'csv', fileName: upload.settings.fileName, count: upload.settings.entries.length };
  } else if (form.source === 'list' && form.pastedList) {
    const parsed = parsePastedList(form.pastedList);
    parseProblems = parsed.problems;
    resolved = await resolveImport(deps, parsed.entries, id, {
      parseProblems,
      waveName: form.settings.name,
    });
    source = { kind: 'list', count: parsed.entries.length };
  } else if (form.source === 'group' && form.groupId) {
    const group = await deps.directory.groupMembers(form.groupId);
    if (!group) {
      return editorAgain([a.t('admin.editor.groupNotFound', { group: form.groupId })]);
    }
    const entries = group.users.map((u, i) => ({
      line: i + 1,
      upn: u.userPrincipalName.toLowerCase(),
      user: u,
    }));
    resolved = await resolveImport(deps, entries, id, { waveName: form.settings.name });
    source = { kind: 'group', groupId: form.groupId, groupName: group.groupName };
  } else if (form.source === 'opt-in') {
    source = { kind: 'opt-in' };
  }

  const draft: ImportDraft = {
    actorAadObjectId: turn.actor.aadObjectId,
    waveId: id,
    isNew: !existing,
    settings: form.settings,
    source,
    resolved,
    parseProblems,
    createdAt: turn.now.toISOString(),
  };
  const saved = await saveImportDraft(deps, draft);
  if (!saved.ok) return editorAgain([a.t('admin.import.tooLarge')]);
  return importPreviewCard(turn, saved.draftId, draft, existing);
}

/** What saving the draft will do, in numbers and named problems. */
export function importPreviewCard(
  turn: AdminTurn,
  draftId: string,
  draft: ImportDraft,
  existing: Wave | undefined,
): CardJson {
  const { audience: a } = turn;
  const nf = new Intl.NumberFormat(a.locale);
  const r = draft.resolved;
  const toAdd = r?.add.length ?? 0;
  const summary = r?.summary;
  const sections = [];
  const problems = summary?.problems ?? draft.parseProblems.slice(0, MAX_PROBLEM_LINES);
  const more = summary?.moreProblems ?? Math.max(0, draft.parseProblems.length - MAX_PROBLEM_LINES);
  if (problems.length > 0) {
    sections.push({
      heading: a.t('admin.import.problems', { count: nf.format(problems.length + more) }),
      lines: problems.map((p) => problemLine(p, a.language)),
      more: more > 0 ? a.t('admin.more', { count: nf.format(more) }) : undefined,
    });
  }
  const blocked = summary?.blocked ?? false;
  const apple = appleMigrationSummary(a.t, draft.settings.appleMigration, a.locale, a.timeZone);
  const facts = [
    { title: a.t('admin.import.fact.wave'), value: draft.settings.name },
    { title: a.t('admin.import.fact.toAdd'), value: nf.format(toAdd) },
    ...(r ? [{ title: a.t('admin.import.fact.already'), value: nf.format(r.alreadyInWave.length) }] : []),
    ...(r && r.inOtherWave.length > 0
      ? [{ title: a.t('admin.import.fact.inOtherWave'), value: nf.format(r.inOtherWave.length) }]
      : []),
    ...(draft.source?.kind === 'group'
      ? [{ title: a.t('admin.import.fact.group'), value: draft.source.groupName ?? draft.source.groupId }]
      : []),
    ...(draft.source?.kind === 'opt-in' ? [{ title: a.t('admin.import.fact.optIn'), value: '✓' }] : []),
    ...(apple ? [{ title: a.t('apple.admin.fact'), value: apple }] : []),
  ];
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: existing
      ? a.t('admin.import.titleEdit', { wave: draft.settings.name })
      : a.t('admin.import.titleNew', { wave: draft.settings.name }),
    notice: blocked ? a.t('admin.import.blocked') : a.t('admin.import.nothingYet'),
    noticeStyle: blocked ? 'attention' : 'warning',
    facts,
    sections,
    actions: [
      ...(blocked
        ? []
        : [
            {
              title:
                toAdd > 0
                  ? a.t('admin.import.save', { count: nf.format(toAdd) })
                  : a.t('admin.import.saveNoMembers'),
              verb: ADMIN_VERBS.saveWave,
              data: { draftId },
              style: 'positive' as const,
            },
          ]),
      {
        title: a.t('admin.import.backToEdit'),
        verb: ADMIN_VERBS.editWave,
        data: existing ? { waveId: existing.id } : {},
      },
    ],
  });
}

/** Confirms a previewed draft: the wave's settings and its new members are stored, and audited. */
export async function saveWave(turn: AdminTurn, draftId: string): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const loaded = await loadImportDraft(deps, draftId, turn.actor.aadObjectId);
  if (!loaded.ok) {
    return renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('admin.import.draftGone'),
      style: 'attention',
      actions: [{ title: a.t('admin.home'), verb: ADMIN_VERBS.home }],
    });
  }
  const draft = loaded.draft;
  let before: Wave | undefined;
  const saved = await deps.store.waves.update(waveKey(draft.waveId), (cur) => {
    before = cur;
    if (cur && !draft.isNew)
      return applyWaveSettings(cur, draft.waveId, draft.settings, turn.now, draft.source);
    if (cur && draft.isNew) return undefined;
    return applyWaveSettings(undefined, draft.waveId, draft.settings, turn.now, draft.source);
  });
  if (!saved || (draft.isNew && before)) {
    return waveHome(turn, draft.waveId, a.t('admin.import.nameTaken'), 'attention');
  }
  if (draft.source?.kind === 'opt-in') {
    await deps.store.campaigns.update(campaignKey(), (c) =>
      c ? { ...c, voluntaryOptIn: true, voluntaryWaveId: draft.waveId } : undefined,
    );
  }
  const toSave: MemberToSave[] = draft.resolved ? [...draft.resolved.add, ...draft.resolved.move] : [];
  const saving =
    toSave.length > 0
      ? await saveMembers(deps, draft.waveId, toSave, turn.actor, { source: draft.source?.kind })
      : undefined;
  if (saving && !saving.ok) return waveHome(turn, draft.waveId, a.t('admin.import.waveNotOpen'), 'attention');
  const result = saving ?? { added: [], moved: [], conflicts: [], failed: [] };
  await deleteImportDraft(deps, draftId).catch((err) =>
    deps.logger.warn({ err, draftId }, 'could not delete a saved import draft'),
  );
  await recordAudit(deps.store, {
    at: turn.now,
    actor: turn.actor,
    action: draft.isNew ? 'wave.create' : 'wave.edit',
    target: draft.waveId,
    before: before ? waveSummary(before) : undefined,
    after: {
      ...waveSummary(saved),
      membersAdded: result.added.length + result.moved.length,
      conflicts: result.conflicts.length,
      failed: result.failed.length,
    },
    onceKey: `${draft.waveId}-${draftId}`,
  });
  const notice =
    result.conflicts.length > 0
      ? a.t('admin.import.savedWithConflicts', {
          count: result.added.length + result.moved.length,
          conflicts: result.conflicts.length,
        })
      : a.t('admin.import.saved', { count: result.added.length + result.moved.length });
  return waveHome(turn, draft.waveId, notice);
}

/** What the audit keeps of a wave: its settings, not its members. */
function waveSummary(w: Wave) {
  return {
    name: w.name,
    order: w.order,
    state: w.state,
    announceAt: w.announceAt,
    startAt: w.startAt,
    deadline: w.deadline,
    conditionalAccess: w.conditionalAccess,
    criteria: w.criteria,
    helpdeskCapacityPerDay: w.helpdeskCapacityPerDay,
    source: w.source,
    appleMigration: w.appleMigration,
  };
}
