/**
 * The record of processing, in code: every stored entity, every field, whether it is personal, why it
 * is kept, who sees it, where it goes and which retention rule removes it. Each entity's field list is
 * checked by the compiler against its type (`satisfies Record<keyof T, FieldInfo>`), so a field added
 * to a type without an entry here does not build; docs/privacy.md's tables are generated from it.
 */
import type { AuditEvent } from './audit';
import type { Broadcast, Delivery } from './broadcast';
import type { Wave, WaveMember } from './campaign';
import type { ObservedAccess } from './conditional-access';
import type { DeviceOwner } from './device-owner';
import type { Escalation, EscalationParticipant } from './escalation-model';
import type { InventoryDevice, PersonInventoryDevice } from './inventory';
import type { DeviceJourney } from './journey';
import type { ConversationAddress, Participant } from './participant';
import type { ImmediateOverride, OldMdmChangeRecord } from './runbook';

/** How a field relates to a person. */
export type Personal =
  /** Names a person directly: UPN, display name, e-mail, an old-MDM user name. */
  | 'identifying'
  /** An id that leads to a person only with other data: Entra object id, Teams user id, ticket id. */
  | 'pseudonymous'
  /** Words a person typed (a ticket message, an admin's note). */
  | 'free-text'
  /** Identifies hardware a person carries: serial number, IMEI, UDID, device name. */
  | 'device'
  /** Not about a person (states, counts, times of system events). */
  | 'none';

export type Viewer = 'user' | 'helpdesk' | 'admins';
/** Where a value travels beyond our storage. */
export type Destination = 'teams' | 'graph' | 'old-mdm' | 'export';

/** Which retention rule removes it (src/domain/retention.ts; the settings are in the README). */
export type RetentionRule =
  | 'participant'
  | 'ticket'
  | 'delivery'
  | 'draft'
  | 'audit'
  | 'inventory'
  | 'release'
  | 'campaign';

export interface FieldInfo {
  personal: Personal;
  purpose: string;
  seenBy: readonly Viewer[];
  goesTo: readonly Destination[];
}

export interface EntityRecord {
  /** The Azure table (and, for nested parts, the field holding them). */
  table: string;
  entity: string;
  retention: RetentionRule;
  fields: Readonly<Record<string, FieldInfo>>;
}

/**
 * The named fields of a `jobState` row type: its index signature and the job cursor's own fields
 * left out, so that `satisfies Record<RowFields<T>, FieldInfo>` still demands an entry per field.
 */
export type RowFields<T> = Exclude<
  keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] },
  'deltaLink' | 'lastCycleStartedAt'
>;

const ALL: readonly Viewer[] = ['user', 'helpdesk', 'admins'];
const STAFF: readonly Viewer[] = ['helpdesk', 'admins'];
const ADMINS: readonly Viewer[] = ['admins'];
const NOBODY: readonly Viewer[] = [];

function field(
  personal: Personal,
  purpose: string,
  seenBy: readonly Viewer[] = NOBODY,
  goesTo: readonly Destination[] = [],
): FieldInfo {
  return { personal, purpose, seenBy, goesTo };
}
const plain = (purpose: string, seenBy: readonly Viewer[] = NOBODY) => field('none', purpose, seenBy);
const ENTRA_ID = field('pseudonymous', 'whose row it is; the key to Graph look-ups', STAFF, [
  'graph',
  'export',
]);
const UPN = field('identifying', 'shown to helpdesk and admins to recognise the person', STAFF, ['export']);
const NAME = field('identifying', 'shown on cards and lists', ALL, ['teams', 'export']);

const participant = {
  aadObjectId: ENTRA_ID,
  userPrincipalName: UPN,
  displayName: NAME,
  locale: plain('language of the cards', ALL),
  language: plain('the language the person chose for the chat', ALL),
  timeZone: plain('dates and business hours in the person’s zone', ALL),
  conversation: field('pseudonymous', 'where proactive messages go (Teams conversation)', NOBODY, ['teams']),
  firstSeenAt: plain('first contact'),
  lastSeenAt: field('pseudonymous', 'last contact; retention of people in no wave', ADMINS),
  version: plain('optimistic concurrency'),
  waveId: plain('the person’s wave', ALL),
  journeys: field('device', 'one journey per device (name, platform, stage, history)', ALL, ['export']),
  journeyVersion: plain('stale card detection'),
  journeyCardId: field('pseudonymous', 'the journey card updated in place', NOBODY, ['teams']),
  focusDeviceKey: field('device', 'the device the card shows', ['user']),
  deferrals: plain('“remind me tomorrow” count and until when', ['user', 'admins']),
  lastReminderAt: plain('one reminder a day at most'),
  observedAt: plain('when Graph was last read'),
  pendingEscalations: field('device', 'escalations waiting to reach the ticket (ids, reasons)', NOBODY),
  erasedAt: plain('erased at the person’s request: keeps them out until an admin re-adds them', ADMINS),
} satisfies Record<keyof Participant, FieldInfo>;

const conversation = {
  serviceUrl: plain('Bot Connector address'),
  channelId: plain('always msteams'),
  conversationId: field('pseudonymous', 'the 1:1 chat', NOBODY, ['teams']),
  conversationType: plain('personal'),
  tenantId: plain('the organisation'),
  botId: plain('this bot'),
  botName: plain('this bot'),
  userId: field('pseudonymous', 'the Teams user id (29:…)', NOBODY, ['teams']),
} satisfies Record<keyof ConversationAddress, FieldInfo>;

const journey = {
  deviceKey: field('device', 'Entra device id or Intune managed device id', STAFF, ['graph']),
  name: field('device', 'device name as Graph or the old MDM reports it', ALL, ['export']),
  platform: plain('which guide applies', ALL),
  ownership: plain('corporate devices are routed to IT', ALL),
  stage: plain('where the device is', ALL),
  stageSince: plain('stuck detection', ALL),
  history: plain('stage changes (stages, times)', STAFF),
  flags: field('device', 'dual enrollment, failure reason, post-check answers', ALL),
  needsIt: plain('why IT must do it', ALL),
  exclusion: field('pseudonymous', 'who excluded the device and why (admin id, reason)', STAFF),
  lastSeen: plain('what Graph and the old MDM last said', STAFF),
  failuresSeenUntil: plain('no double escalation'),
} satisfies Record<keyof DeviceJourney, FieldInfo>;

const ticket = {
  ticketId: field('pseudonymous', '<object id>-<n>', STAFF),
  ticketNumber: plain('counts the person’s tickets', STAFF),
  participant: field('identifying', 'who the ticket is about, for the agent', STAFF, ['teams']),
  state: plain('open → assigned → resolved', ALL),
  assignee: field('identifying', 'the agent handling it (id, name)', ALL, ['teams']),
  cardActivityId: plain('the helpdesk channel card'),
  cardChannelId: plain('which helpdesk channel'),
  cardPostingAt: plain('at most one channel card per ticket'),
  triggers: field('device', 'why it was raised (reason, device key, failure detail)', STAFF, ['teams']),
  timeline: field('free-text', 'what the person wrote (capped) and what agents did, with notes', STAFF, [
    'teams',
    'export',
  ]),
  timelineOmitted: plain('entries dropped past the cap'),
  createdAt: plain('SLA clock', STAFF),
  firstAssignedAt: plain('SLA clock', STAFF),
  resolvedAt: plain('SLA clock; retention starts here', STAFF),
  resolution: field('free-text', 'who resolved it and the note', STAFF),
  reopenCount: plain('metrics', STAFF),
  updatedAt: plain('ordering'),
  version: plain('stale card detection'),
  seen: plain('duplicate suppression (fingerprints)'),
  receipts: plain('duplicate suppression (fingerprints)'),
  earlier: plain('earlier tickets: times, reasons, counts (wave metrics)', ADMINS),
  slaReminder: plain('one SLA reminder per open period'),
} satisfies Record<keyof Escalation, FieldInfo>;

const ticketPerson = {
  aadObjectId: ENTRA_ID,
  userPrincipalName: UPN,
  displayName: field('identifying', 'the agent sees whom to help', STAFF, ['teams']),
  waveId: plain('routing and metrics', STAFF),
  locale: plain('language of messages to the person'),
} satisfies Record<keyof EscalationParticipant, FieldInfo>;

const delivery = {
  broadcastId: plain('which broadcast'),
  aadObjectId: ENTRA_ID,
  userPrincipalName: field('identifying', 'the delivery report admins read', ADMINS, ['graph', 'export']),
  displayName: field('identifying', 'the delivery report admins read', ADMINS, ['export']),
  state: plain('sent, failed or uncertain', ADMINS),
  attempts: plain('retries', ADMINS),
  reason: plain('why it failed', ADMINS),
  detail: plain('connector error code', ADMINS),
  activityId: plain('the message sent'),
  queuedAt: plain('report', ADMINS),
  sendingSince: plain('crash recovery'),
  updatedAt: plain('report', ADMINS),
} satisfies Record<keyof Delivery, FieldInfo>;

const audit = {
  at: plain('when', ADMINS),
  actorAadObjectId: field(
    'pseudonymous',
    'who acted (pseudonymised after the audit rule’s first period)',
    ADMINS,
  ),
  actorName: field('identifying', 'who acted, readable (removed when pseudonymised)', ADMINS),
  action: plain('what was done', ADMINS),
  target: field('pseudonymous', 'whom or what it was done to (ids; pseudonymised later)', ADMINS),
  before: field('pseudonymous', 'the value before (settings, states)', ADMINS),
  after: field('pseudonymous', 'the value after', ADMINS),
  reason: field('free-text', 'an admin’s written reason (gate override)', ADMINS),
} satisfies Record<keyof AuditEvent, FieldInfo>;

const waveMember = {
  waveId: plain('the wave'),
  aadObjectId: ENTRA_ID,
  userPrincipalName: field('identifying', 'the wave’s member list', ADMINS, ['export']),
  addedAt: plain('when added', ADMINS),
} satisfies Record<keyof WaveMember, FieldInfo>;

const deviceOwner = {
  aadObjectId: field('pseudonymous', 'maps an Entra device change to its journey'),
  deviceKey: field('device', 'the device'),
} satisfies Record<keyof DeviceOwner, FieldInfo>;

const inventory = {
  source: plain('which old MDM', STAFF),
  vendor: plain('which vendor', STAFF),
  vendorId: field('device', 'the old MDM’s device id', STAFF, ['old-mdm']),
  name: field('device', 'device name in the old MDM', ALL),
  platform: plain('guide', ALL),
  osVersion: plain('support', STAFF),
  model: plain('support', STAFF),
  serialNumber: field('device', 'matching to Intune; helpdesk and admins only', STAFF, ['export']),
  imei: field('device', 'matching to Intune; helpdesk and admins only', STAFF, ['export']),
  udid: field('device', 'matching to Intune', STAFF),
  entraDeviceId: field('device', 'matching to Intune', STAFF, ['graph']),
  userPrincipalName: field('identifying', 'whose device it is (matching)', STAFF, ['export']),
  userEmail: field('identifying', 'whose device it is (matching)', STAFF),
  userName: field('identifying', 'whose device it is (mapped to a UPN)', STAFF),
  ownership: plain('corporate devices are routed to IT', ALL),
  supervised: plain('self-service or IT', ALL),
  enrollment: plain('still managed?', ALL),
  lastSeen: plain('last check-in', ALL),
  firstSeenAt: plain('sync bookkeeping'),
  lastSyncedAt: plain('sync bookkeeping'),
  goneAt: plain('retention of rows the old MDM no longer lists'),
  snapshotId: plain('sync bookkeeping'),
  match: field('device', 'the Intune device it matched', STAFF),
  person: field(
    'pseudonymous',
    'the person it belongs to (object id), or that they were erased (never attached again)',
    STAFF,
  ),
  matchedAt: plain('matching bookkeeping'),
  matchedRowAt: plain('matching bookkeeping'),
  indexedUnder: field('pseudonymous', 'the person index holding a copy'),
} satisfies Record<keyof InventoryDevice, FieldInfo>;

const personInventory = {
  source: plain('which old MDM', ALL),
  vendorId: field('device', 'the old MDM’s device id', STAFF),
  name: field('device', 'device name', ALL),
  platform: plain('guide', ALL),
  ownership: plain('routing', ALL),
  supervised: plain('routing', ALL),
  enrollment: plain('still managed?', ALL),
  lastSeen: plain('last check-in', ALL),
  goneAt: plain('removed from the old MDM', ALL),
  match: field('device', 'the Intune device it matched', STAFF),
} satisfies Record<keyof PersonInventoryDevice, FieldInfo>;

const broadcast = {
  id: plain('row key'),
  kind: plain('announcement or reminder', ADMINS),
  waveId: plain('wave', ADMINS),
  state: plain('progress', ADMINS),
  createdAt: plain('progress', ADMINS),
  createdBy: field('identifying', 'the admin who sent it (id, name)', ADMINS),
  scheduledAt: plain('schedule', ADMINS),
  confirmedAt: plain('progress', ADMINS),
  cancelledAt: plain('delivery retention starts here', ADMINS),
  finishedAt: plain('delivery retention starts here', ADMINS),
  recipientCount: plain('progress', ADMINS),
  queuedCount: plain('crash recovery'),
  queuedThrough: field('pseudonymous', 'where a stopped queueing resumes; cleared once sending'),
  deliveryKeyChars: plain('which partitions hold its deliveries'),
  alsoPostToChannelId: plain('announcement channel'),
  progressCard: field('pseudonymous', 'the admin’s progress card (conversation)', NOBODY, ['teams']),
  note: field('free-text', 'the admin’s line on every card', ALL, ['teams']),
} satisfies Record<keyof Broadcast, FieldInfo>;

const wave = {
  id: plain('row key'),
  name: plain('wave name', ALL),
  order: plain('order'),
  state: plain('lifecycle; participant retention starts when closed', ADMINS),
  announceAt: plain('schedule', ALL),
  startAt: plain('schedule', ALL),
  deadline: plain('schedule', ALL),
  conditionalAccess: plain('CA mode', ALL),
  reminders: plain('reminder policy', ADMINS),
  estimatedMinutes: plain('announcement', ALL),
  createdAt: plain('bookkeeping'),
  criteria: plain('wave gate', ADMINS),
  helpdeskCapacityPerDay: plain('forecast', ADMINS),
  source: plain('where members came from (group id, counts)', ADMINS),
  gateOverride: field('free-text', 'the admin who overrode the gate and why', ADMINS),
  appleMigration: plain('Apple device migration settings', ADMINS),
  updatedAt: plain('when the wave closed (retention clock)', ADMINS),
} satisfies Record<keyof Wave, FieldInfo>;

/** The wave's evaluated conditional-access line (on the wave row): about policies, not people. */
const accessObserved = {
  line: plain('whether the wave’s members need a compliant device, and from when', ALL),
  mode: plain('the wave mode it was evaluated for'),
  at: plain('when it was evaluated', ADMINS),
  policyState: plain('enabled, report-only or off', ADMINS),
} satisfies Record<keyof ObservedAccess, FieldInfo>;

/** An admin's runbook records per wave (jobState `runbook`): admins only, never an employee. */
const runbookChange = {
  by: field('pseudonymous', 'the admin who recorded the old-MDM change', ADMINS),
  byName: field('identifying', 'that admin, readable on the runbook card', ADMINS),
  at: plain('when', ADMINS),
  note: field('free-text', 'the admin’s note on what was changed in the old MDM', ADMINS),
} satisfies Record<keyof OldMdmChangeRecord, FieldInfo>;

const runbookOverride = {
  by: field('pseudonymous', 'the admin who announced although members were not covered', ADMINS),
  byName: field('identifying', 'that admin, readable on the runbook card', ADMINS),
  at: plain('when', ADMINS),
  reason: field('free-text', 'the admin’s written reason', ADMINS),
} satisfies Record<keyof ImmediateOverride, FieldInfo>;

/** Markers of people whose old-MDM devices changed (jobState `old-mdm-person-changed`), until the refresh reads them. */
const personChanged = {
  rowKey: field('pseudonymous', 'whose journeys the background refresh should look at (object id)'),
  changedAt: plain('clears the marker only if not set again'),
};

/** The admin's user-name mapping file (jobState `old-mdm-user-names`): one row per old-MDM user name. */
const userNameMapping = {
  userName: field('identifying', 'the old MDM’s user name, to find its person when it is no UPN', ADMINS),
  upn: field('identifying', 'the UPN it stands for', ADMINS),
};

/**
 * One old-MDM release per device (jobState `old-mdm-release`, src/features/old-mdm/release-record.ts;
 * the domain may not name that type, so test/domain/personal-data.test.ts checks these keys against it).
 */
const release = {
  state: plain('queued → requested → sent → confirmed | failed', STAFF),
  source: plain('which old MDM', STAFF),
  vendorId: field('device', 'the old MDM’s device id the command names', STAFF, ['old-mdm']),
  platform: plain('which command applies', STAFF),
  person: field('pseudonymous', 'whose journey follows the device (object id)', STAFF),
  deviceKey: field('device', 'the journey’s device key', STAFF),
  deviceName: field('device', 'device name on the ticket', STAFF, ['teams']),
  by: field('pseudonymous', 'the helpdesk member or admin who released it', STAFF),
  byName: field('identifying', 'that member, readable on the ticket', STAFF, ['teams']),
  requestedAt: plain('progress', STAFF),
  sentAt: plain('progress', STAFF),
  confirmedAt: plain('progress; retention starts here', STAFF),
  outcome: plain('released or already gone', STAFF),
  commandId: plain('the old MDM’s command id', STAFF),
  failedAt: plain('progress; retention starts here', STAFF),
  failure: plain('why it failed', STAFF),
  missing: plain('the role or setting to fix', ADMINS),
  unconfirmedNotedAt: plain('one “not confirmed yet” note'),
  bulkId: plain('the bulk release it belongs to', ADMINS),
};

/** Import drafts (jobState, gzip'd): the previewed file until confirmed or expired. */
const draft = {
  actorAadObjectId: field('pseudonymous', 'only its admin may confirm it', ADMINS),
  members: field('identifying', 'resolved members: object ids, UPNs, names', ADMINS),
  devices: field('device', 'an old-MDM export’s devices: serials, IMEIs, user names', ADMINS),
  problems: field('identifying', 'bad rows by line (may quote what the file said)', ADMINS),
  createdAt: plain('expiry'),
};

export const RECORD_OF_PROCESSING: readonly EntityRecord[] = [
  { table: 'Participants', entity: 'Participant', retention: 'participant', fields: participant },
  { table: 'Participants', entity: 'conversation', retention: 'participant', fields: conversation },
  { table: 'Participants', entity: 'journeys[]', retention: 'participant', fields: journey },
  { table: 'Escalations', entity: 'Ticket', retention: 'ticket', fields: ticket },
  { table: 'Escalations', entity: 'participant', retention: 'ticket', fields: ticketPerson },
  { table: 'Deliveries', entity: 'Delivery', retention: 'delivery', fields: delivery },
  { table: 'Audit', entity: 'AuditEvent', retention: 'audit', fields: audit },
  { table: 'WaveMembers', entity: 'WaveMember', retention: 'participant', fields: waveMember },
  { table: 'DeviceOwners', entity: 'DeviceOwner', retention: 'participant', fields: deviceOwner },
  { table: 'OldMdmDevices', entity: 'InventoryDevice', retention: 'inventory', fields: inventory },
  {
    table: 'OldMdmByPerson',
    entity: 'PersonInventoryDevice',
    retention: 'participant',
    fields: personInventory,
  },
  { table: 'Broadcasts', entity: 'Broadcast', retention: 'campaign', fields: broadcast },
  { table: 'Waves', entity: 'Wave', retention: 'campaign', fields: wave },
  { table: 'JobState', entity: 'Import draft', retention: 'draft', fields: draft },
  { table: 'Waves', entity: 'accessObserved', retention: 'campaign', fields: accessObserved },
  { table: 'JobState', entity: 'Old-MDM release', retention: 'release', fields: release },
  { table: 'JobState', entity: 'Person-changed marker', retention: 'participant', fields: personChanged },
  { table: 'JobState', entity: 'User-name mapping', retention: 'campaign', fields: userNameMapping },
  { table: 'JobState', entity: 'Runbook: old-MDM change', retention: 'campaign', fields: runbookChange },
  {
    table: 'JobState',
    entity: 'Runbook: immediate override',
    retention: 'campaign',
    fields: runbookOverride,
  },
];

export const RETENTION_TEXT: Readonly<Record<RetentionRule, string>> = {
  participant: 'RETENTION_PARTICIPANT_DAYS after the wave closes (people in no wave: after last contact)',
  ticket: 'RETENTION_TICKET_DAYS after resolution, and always with the person',
  delivery: 'RETENTION_DELIVERY_DAYS after the broadcast finished',
  draft: 'RETENTION_DRAFT_HOURS after the preview',
  audit: 'pseudonymised after RETENTION_AUDIT_PSEUDONYMISE_DAYS, deleted after RETENTION_AUDIT_DAYS',
  inventory: 'mirrors the old MDM; RETENTION_PARTICIPANT_DAYS after it stops listing the device',
  release: 'RETENTION_PARTICIPANT_DAYS after the release was confirmed or failed, and always with the person',
  campaign:
    'while the campaign runs (admins’ ids and notes; the user-name mapping until an admin replaces it, an erased person’s entries removed at once)',
};

/** Personal fields of one entity (those a person's export and erasure must cover). */
export function personalFields(record: EntityRecord): string[] {
  return Object.entries(record.fields)
    .filter(([, info]) => info.personal !== 'none')
    .map(([name]) => name);
}

/** The Markdown tables docs/privacy.md holds between its generated markers. */
export function renderRecordOfProcessing(): string {
  const out: string[] = [];
  for (const r of RECORD_OF_PROCESSING) {
    out.push(`### ${r.table} — ${r.entity}`, '', `Kept: ${RETENTION_TEXT[r.retention]}.`, '');
    out.push('| field | personal | why | seen by | goes to |', '| --- | --- | --- | --- | --- |');
    for (const [name, f] of Object.entries(r.fields)) {
      const seen = f.seenBy.length > 0 ? f.seenBy.join(', ') : '—';
      const goes = f.goesTo.length > 0 ? f.goesTo.join(', ') : '—';
      out.push(`| \`${name}\` | ${f.personal} | ${f.purpose} | ${seen} | ${goes} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
