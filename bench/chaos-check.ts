/**
 * The chaos benchmark's invariants, checked after the run against what storage holds (every row read
 * raw and checked against a schema of what the product writes) and what the connector simulator
 * accepted: nothing a person was told is missing, no row is damaged, one ticket and at most one
 * channel card per ticket, at most one reminder per person per local day.
 */
import { TableClient } from '@azure/data-tables';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { SimMessage } from '../src/dev/connector-sim';
import type { Escalation } from '../src/domain/escalation-model';
import type { Participant } from '../src/domain/participant';
import type { Told } from './chaos-users';

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const conversation = z.object({
  serviceUrl: z.string().min(1),
  conversationId: z.string().min(1),
  channelId: z.string(),
});
const journey = z
  .object({
    deviceKey: z.string().min(1),
    stage: z.string().min(1),
    history: z.array(z.unknown()).optional(),
  })
  .passthrough();

/** The stored shape the product relies on (extra fields allowed, the ones read everywhere required). */
export const participantRow = z
  .object({
    aadObjectId: z.string().min(1),
    version: z.number().int().positive(),
    firstSeenAt: iso.optional(),
    lastReminderAt: iso.optional(),
    journeyVersion: z.number().int().nonnegative().optional(),
    conversation: conversation.optional(),
    journeys: z.array(journey).optional(),
    deferrals: z.object({ used: z.number().int().nonnegative(), until: iso.optional() }).optional(),
  })
  .passthrough();

export const escalationRow = z
  .object({
    ticketId: z.string().min(1),
    ticketNumber: z.number().int().positive(),
    participant: z.object({ aadObjectId: z.string().min(1) }).passthrough(),
    state: z.enum(['open', 'assigned', 'waiting-on-user', 'resolved']),
    cardActivityId: z.string().min(1).optional(),
    triggers: z.array(z.object({ reason: z.string().min(1) }).passthrough()),
    createdAt: iso,
    updatedAt: iso,
    version: z.number().int().positive(),
  })
  .passthrough();

export const deliveryRow = z
  .object({ state: z.enum(['queued', 'sending', 'sent', 'failed', 'uncertain']) })
  .passthrough();

export interface RawTables {
  participants: unknown[];
  escalations: unknown[];
  deliveries: unknown[];
  /** Rows whose `data` column is not JSON. */
  unreadable: number;
}

/** Every row of the three tables, read without the product's repository (so nothing is repaired on the way). */
export async function readRaw(connectionString: string, prefix: string): Promise<RawTables> {
  const out: RawTables = { participants: [], escalations: [], deliveries: [], unreadable: 0 };
  const read = async (table: string, into: unknown[]) => {
    const client = TableClient.fromConnectionString(connectionString, `${prefix}${table}`, {
      allowInsecureConnection: connectionString.includes('http://'),
    });
    for await (const row of client.listEntities<{ data?: string }>()) {
      try {
        into.push(JSON.parse(String(row.data)));
      } catch {
        out.unreadable++;
      }
    }
  };
  await read('Participants', out.participants);
  await read('Escalations', out.escalations);
  await read('Deliveries', out.deliveries);
  return out;
}

export interface Verdict {
  lost: number;
  corrupt: number;
  duplicateTickets: number;
  duplicateReminders: number;
  /** For the log: how many of each were checked. */
  detail: string;
}

export function checkInvariants(input: {
  raw: RawTables;
  told: ReadonlyMap<string, Told>;
  messages: readonly SimMessage[];
  helpdeskChannelId: string;
  reminderSummary: RegExp;
  timeZone: string;
  /** Each person's chat id, to attribute reminders. */
  chatOf: ReadonlyMap<string, string>;
}): Verdict {
  let corrupt = input.raw.unreadable;
  const participants = new Map<string, Participant>();
  for (const row of input.raw.participants) {
    const ok = participantRow.safeParse(row);
    if (!ok.success) corrupt++;
    else participants.set(ok.data.aadObjectId, row as Participant);
  }
  const tickets = new Map<string, Escalation[]>();
  for (const row of input.raw.escalations) {
    const ok = escalationRow.safeParse(row);
    if (!ok.success) {
      corrupt++;
      continue;
    }
    const e = row as Escalation;
    const list = tickets.get(e.participant.aadObjectId) ?? [];
    list.push(e);
    tickets.set(e.participant.aadObjectId, list);
  }
  for (const row of input.raw.deliveries) if (!deliveryRow.safeParse(row).success) corrupt++;

  // Lost: a version, a start, a ticket or a post-check the person saw, that storage does not hold.
  let lost = 0;
  let checked = 0;
  for (const [id, t] of input.told) {
    checked++;
    const p = participants.get(id);
    const stored = p?.journeyVersion ?? 0;
    const ticket = tickets.get(id)?.[0];
    const pending = (p?.pendingEscalations ?? []).some((e) => e.reason === 'user-stuck');
    const hasStuck =
      pending || !!ticket?.triggers.some((tr) => tr.reason === 'user-stuck') || !!ticket?.earlier?.length;
    if (t.started && !p?.journeys?.length) lost++;
    else if (t.journeyVersion > stored) lost++;
    else if (t.stuck && !hasStuck) lost++;
    else if ([...t.postChecked].some((d) => !p?.journeys?.find((j) => j.deviceKey === d)?.flags?.postCheck))
      lost++;
  }

  // One ticket per person (one row each, by key) and one channel card per ticket.
  let duplicateTickets = 0;
  for (const list of tickets.values()) duplicateTickets += Math.max(0, list.length - 1);
  const cards = new Set<string>();
  for (const list of tickets.values())
    for (const e of list) if (e.cardActivityId) cards.add(e.cardActivityId);
  const channelPosts = input.messages.filter((m) => m.conversationId === input.helpdeskChannelId);
  // A card names its ticket in its actions' data; a post naming none counts under its summary.
  const ticketIds = [...tickets.values()].flat().map((e) => e.ticketId);
  const postsPerTicket = new Map<string, number>();
  for (const m of channelPosts) {
    const json = JSON.stringify(m.activity ?? {});
    const of = ticketIds.find((id) => json.includes(`"${id}"`)) ?? String(m.activity?.summary ?? '');
    postsPerTicket.set(of, (postsPerTicket.get(of) ?? 0) + 1);
  }
  for (const n of postsPerTicket.values()) duplicateTickets += Math.max(0, n - 1);

  // At most one reminder per person per local day.
  let duplicateReminders = 0;
  let reminders = 0;
  const byChat = new Map<string, Map<string, number>>();
  for (const m of input.messages) {
    if (!input.reminderSummary.test(String(m.activity?.summary ?? ''))) continue;
    reminders++;
    const day = DateTime.fromMillis(m.at, { zone: input.timeZone }).toISODate() ?? '';
    const days = byChat.get(m.conversationId) ?? new Map<string, number>();
    days.set(day, (days.get(day) ?? 0) + 1);
    byChat.set(m.conversationId, days);
  }
  for (const days of byChat.values()) for (const n of days.values()) duplicateReminders += Math.max(0, n - 1);

  const ticketCount = [...tickets.values()].reduce((n, l) => n + l.length, 0);
  return {
    lost,
    corrupt,
    duplicateTickets,
    duplicateReminders,
    detail: `${participants.size} participants, ${ticketCount} tickets (${cards.size} with a channel card, ${channelPosts.length} channel posts), ${reminders} reminders, ${checked} people's answers checked, ${input.raw.deliveries.length} deliveries`,
  };
}
