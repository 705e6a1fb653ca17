/** Action.Execute verbs of the admin cards; shared by the card view models and the routes. */
export const ADMIN_VERBS = {
  /** Open the admin home (campaign overview). */
  home: 'admin.home',
  /** Refresh a dashboard in place: data { waveId? }. */
  refresh: 'admin.refresh',
  /** Open one wave's dashboard: data { waveId }. */
  openWave: 'admin.wave.open',
  /** The wave editor: new (no waveId) or edit (waveId). */
  editWave: 'admin.wave.edit',
  /** Validate the editor's inputs and show the import preview: data { waveId? } + inputs. */
  previewWave: 'admin.wave.preview',
  /** Save the previewed wave and its members: data { draftId }. */
  saveWave: 'admin.wave.save',
  /** Build an announcement preview for a wave: data { waveId }. */
  announce: 'admin.broadcast.preview',
  /** Send (or schedule) a previewed broadcast: data { broadcastId, recipientCount }. */
  confirmBroadcast: 'admin.broadcast.confirm',
  cancelBroadcast: 'admin.broadcast.cancel',
  /** Refresh a broadcast's progress card: data { broadcastId }. */
  broadcastProgress: 'admin.broadcast.progress',
  /** Let the next wave start although this wave's gate failed: data { waveId } + reason input. */
  overrideGate: 'admin.gate.override',
  /** Users of a wave not migrated yet: data { waveId? }. */
  stragglers: 'admin.stragglers',
  /** Preview a reminder broadcast to a wave's stragglers: data { waveId }. */
  remindStragglers: 'admin.stragglers.remind',
  /** Nudge one user (re-send their journey card): data { aadObjectId }. */
  nudge: 'admin.nudge',
  /** Show a user's helpdesk ticket: data { aadObjectId }. */
  openTicket: 'admin.ticket.open',
  /** The "ready to retire the old MDM" report. */
  retireReport: 'admin.retire',
  /** Signed CSV download links: data { kind: 'participants' | 'deliveries', waveId?, broadcastId? }. */
  exportCsv: 'admin.export',
  /** The old MDM's devices that need a look (ambiguous, only in the old MDM, owner not found): data { page? }. */
  oldMdmReview: 'admin.oldMdm.review',
} as const;

export type AdminVerb = (typeof ADMIN_VERBS)[keyof typeof ADMIN_VERBS];

export const ADMIN_VERB_LIST: readonly AdminVerb[] = Object.values(ADMIN_VERBS);

/** Input ids on admin cards (merged into the action data by Teams). */
export const ADMIN_INPUTS = {
  reason: 'reason',
  scheduleAt: 'scheduleAt',
  scheduleTime: 'scheduleTime',
  alsoChannel: 'alsoChannel',
} as const;

/** Input ids of the wave editor card (merged into the action data by Teams). */
export const WAVE_FORM = {
  name: 'waveName',
  order: 'waveOrder',
  source: 'memberSource',
  groupId: 'groupId',
  upns: 'upnList',
  announceAt: 'announceDate',
  startAt: 'startDate',
  caMode: 'caMode',
  graceEndsAt: 'graceEndDate',
  deadline: 'deadlineDate',
  estimatedMinutes: 'estimatedMinutes',
  capacity: 'capacityPerDay',
  minEnrollment: 'minEnrollmentPct',
  maxEscalations: 'maxEscalationsPer100',
  minPostCheck: 'minPostCheckPct',
  minCompliance: 'minCompliancePct',
  remindersEnabled: 'remindersEnabled',
  deferralLimit: 'deferralLimit',
  applePlatforms: 'applePlatforms',
  appleDeadline: 'appleDeadlineDate',
} as const;
