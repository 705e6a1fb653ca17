/**
 * Announcements and reminders to stragglers, from the admin's side: the preview (what one member will
 * see, how many will get it, how long it will take at the tenant rate), the explicit confirmation,
 * scheduling, cancelling and the live progress card. The engine itself is src/features/broadcast.
 */
import { renderAdminPanel } from '../../cards/admin-panel-card';
import { renderBroadcastProgressCard } from '../../cards/broadcast-progress-card';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import { renderWaveAnnouncementCard } from '../../cards/wave-announcement-card';
import type { Deps } from '../../deps';
import { type Broadcast, broadcastKey } from '../../domain/broadcast';
import { type Wave, waveKey } from '../../domain/campaign';
import { journeyDevices, mergeSources } from '../../domain/device-sources';
import type { Participant } from '../../domain/participant';
import { participantKey } from '../../domain/participant';
import { startOfLocalDay } from '../../domain/schedule';
import { languageOf, translator } from '../../i18n';
import type { OutgoingCard } from '../../ports/messenger';
import { ADMIN_VERBS } from '../../verbs/admin';
import {
  type BroadcastHooks,
  cancel,
  confirm,
  createDraft,
  progress,
  type Recipient,
} from '../broadcast/broadcast-service';
import { audienceForParticipant } from '../journey/on-progress';
import { reminderCard } from '../journey/reminder';
import { oldMdmViewOf } from '../old-mdm/match-views';
import type { AdminTurn } from './admin-turn';
import { waveHome } from './dashboards';
import { announceBlock } from './gate-service';
import { stragglerRecipients, waveRecipients } from './recipients';

/** The hooks the broadcast engine calls back: who gets a broadcast and what each person sees. */
export function broadcastHooks(deps: Deps): BroadcastHooks {
  return {
    async recipients(b: Broadcast): Promise<Recipient[]> {
      if (b.kind === 'stragglers') return stragglerRecipients(deps, b.waveId);
      // Queueing an announcement is the moment the wave counts as announced.
      const now = deps.clock.now().toISOString();
      await deps.store.waves.update(waveKey(b.waveId), (w) =>
        w && (w.state === 'draft' || w.state === 'scheduled')
          ? { ...w, state: 'announced', announceAt: now, updatedAt: now }
          : undefined,
      );
      return waveRecipients(deps, b.waveId);
    },
    async compose(b: Broadcast, r: Recipient, participant: Participant | undefined): Promise<OutgoingCard> {
      const wave = (await deps.store.waves.get(waveKey(b.waveId)))?.value;
      if (!wave) throw new Error(`wave ${b.waveId} of broadcast ${b.id} no longer exists`);
      const p: Participant = participant ?? {
        aadObjectId: r.aadObjectId,
        userPrincipalName: r.userPrincipalName,
        displayName: r.displayName,
        firstSeenAt: '',
        lastSeenAt: '',
        version: 0,
      };
      return b.kind === 'stragglers' ? reminderCard(deps, p, wave) : announcementFor(deps, p, wave);
    },
    async composeChannelPost(b: Broadcast): Promise<OutgoingCard> {
      const wave = (await deps.store.waves.get(waveKey(b.waveId)))?.value;
      if (!wave) throw new Error(`wave ${b.waveId} of broadcast ${b.id} no longer exists`);
      const language = languageOf(deps.config.defaults.locale);
      const t = translator(language);
      const card = renderWaveAnnouncementCard({
        t,
        locale: deps.config.defaults.locale,
        timeZone: deps.config.defaults.timeZone,
        wave,
        vendor: deps.config.sourceMdm,
        devices: [],
      });
      // In a channel the Start button would start nobody's journey: point people to the chat instead.
      card.actions = [];
      return { card, summary: t('announce.title', { wave: wave.name }) };
    },
  };
}

function firstName(p: Participant): string | undefined {
  return p.displayName?.split(/\s+/)[0];
}

/**
 * The announcement as this member sees it: their language, their time zone, the devices we know of —
 * those their journeys follow and those only the old MDM's inventory lists (one partition read; Graph
 * is not asked per recipient while broadcasting).
 */
export async function announcementFor(deps: Deps, p: Participant, wave: Wave): Promise<OutgoingCard> {
  const a = audienceForParticipant(deps, p);
  const known = journeyDevices(p.journeys ?? []);
  const oldMdm = await oldMdmViewOf(deps, p.aadObjectId);
  const card = renderWaveAnnouncementCard({
    t: a.t,
    locale: a.locale,
    timeZone: a.timeZone,
    givenName: firstName(p),
    wave,
    vendor: deps.config.sourceMdm,
    devices: mergeSources(known, oldMdm).filter((d) => d.platform !== 'other'),
  });
  return { card, summary: a.t('announce.title', { wave: wave.name }) };
}

function durationText(turn: AdminTurn, recipients: number): string {
  const rate = turn.deps.config.broadcast.ratePerSecond;
  const seconds = Math.ceil(recipients / rate);
  return seconds < 90
    ? turn.audience.t('admin.broadcast.duration.seconds', { seconds, rate })
    : turn.audience.t('admin.broadcast.duration.minutes', { minutes: Math.ceil(seconds / 60), rate });
}

/** Announce a wave: blocked by the gate unless its predecessor passed or was overridden. */
export async function announcePreview(turn: AdminTurn, waveId: string): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const wave = (await deps.store.waves.get(waveKey(waveId)))?.value;
  if (!wave) return waveHome(turn, waveId);
  if (wave.state === 'closed') return waveHome(turn, waveId, a.t('admin.broadcast.waveClosed'), 'attention');
  const block = await announceBlock(turn, wave);
  if (block) return waveHome(turn, waveId, block, 'attention');
  const recipients = await waveRecipients(deps, waveId);
  return broadcastPreview(turn, wave, 'announcement', recipients);
}

/** Remind the wave's stragglers: the same preview and confirmation as an announcement. */
export async function remindStragglersPreview(turn: AdminTurn, waveId: string): Promise<CardJson> {
  const wave = (await turn.deps.store.waves.get(waveKey(waveId)))?.value;
  if (!wave) return waveHome(turn, waveId);
  const recipients = await stragglerRecipients(turn.deps, waveId);
  return broadcastPreview(turn, wave, 'stragglers', recipients);
}

async function broadcastPreview(
  turn: AdminTurn,
  wave: Wave,
  kind: Broadcast['kind'],
  recipients: Recipient[],
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const nf = new Intl.NumberFormat(a.locale);
  if (recipients.length === 0) {
    return waveHome(turn, wave.id, a.t('admin.broadcast.nobody'), 'warning');
  }
  const channel = deps.config.broadcast.announcementsChannelId;
  const draft = await createDraft(
    deps,
    {
      kind,
      waveId: wave.id,
      createdBy: { aadObjectId: turn.actor.aadObjectId, name: turn.actor.name },
      ...(channel && kind === 'announcement' ? { alsoPostToChannelId: channel } : {}),
    },
    recipients.length,
  );
  const sample = recipients[0];
  const sampleParticipant = (await deps.store.participants.get(participantKey(sample.aadObjectId)))?.value;
  const hooks = broadcastHooks(deps);
  const previewCard = await hooks.compose(draft, sample, sampleParticipant);
  const who = sample.displayName ?? sample.userPrincipalName ?? sample.aadObjectId;
  return renderAdminPanel({
    appName: a.t('app.name'),
    title:
      kind === 'announcement'
        ? a.t('admin.broadcast.previewTitle', { wave: wave.name })
        : a.t('admin.broadcast.remindTitle', { wave: wave.name }),
    notice: a.t('admin.broadcast.nothingSent'),
    noticeStyle: 'warning',
    facts: [
      { title: a.t('admin.broadcast.recipients'), value: nf.format(recipients.length) },
      { title: a.t('admin.broadcast.duration'), value: durationText(turn, recipients.length) },
    ],
    preview: {
      heading: a.t('admin.broadcast.sampleHeading', { name: who }),
      body: (previewCard.card.body as unknown[]) ?? [],
    },
    schedule: {
      dateLabel: a.t('admin.broadcast.scheduleDate'),
      timeLabel: a.t('admin.broadcast.scheduleTime'),
    },
    ...(draft.alsoPostToChannelId ? { channelToggle: { label: a.t('admin.broadcast.alsoChannel') } } : {}),
    actions: [
      {
        title: a.t('admin.broadcast.send', { count: nf.format(recipients.length) }),
        verb: ADMIN_VERBS.confirmBroadcast,
        data: { broadcastId: draft.id, recipientCount: recipients.length },
        style: 'positive',
      },
      { title: a.t('admin.back'), verb: ADMIN_VERBS.openWave, data: { waveId: wave.id } },
    ],
  });
}

/** "2026-12-01" + "09:30" in the admin's zone → an instant; undefined input → now. */
export function scheduleInstant(
  date: string | undefined,
  time: string | undefined,
  zone: string,
): Date | undefined | 'invalid' {
  if (!date?.trim()) return undefined;
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const tm = /^(\d{1,2}):(\d{2})/.exec(time?.trim() || '09:00');
  if (!d || !tm) return 'invalid';
  const day = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
  const minutes = Number(tm[1]) * 60 + Number(tm[2]);
  if (Number.isNaN(day) || minutes >= 24 * 60) return 'invalid';
  return new Date(startOfLocalDay(Math.round(day / 86_400_000), zone).getTime() + minutes * 60_000);
}

export async function confirmBroadcastAction(
  turn: AdminTurn,
  input: {
    broadcastId: string;
    recipientCount: number;
    scheduleDate?: string;
    scheduleTime?: string;
    alsoChannel: boolean;
  },
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const stored = (await deps.store.broadcasts.get(broadcastKey(input.broadcastId)))?.value;
  if (!stored) return notice(turn, a.t('admin.broadcast.notFound'));
  if (stored.state !== 'draft') return broadcastProgressCard(turn, stored.id);
  if (stored.recipientCount !== input.recipientCount) return notice(turn, a.t('admin.broadcast.stale'));
  if (stored.kind === 'announcement') {
    // The gate is checked again at the moment of sending: it may have changed since the preview.
    const wave = (await deps.store.waves.get(waveKey(stored.waveId)))?.value;
    if (!wave) return waveHome(turn, stored.waveId);
    const block = await announceBlock(turn, wave);
    if (block) return waveHome(turn, wave.id, block, 'attention');
  }
  const when = scheduleInstant(input.scheduleDate, input.scheduleTime, a.timeZone);
  if (when === 'invalid') return notice(turn, a.t('admin.broadcast.badDate'));
  if (when && when.getTime() < turn.now.getTime() - 60_000) {
    return notice(turn, a.t('admin.broadcast.dateInPast'));
  }
  // The channel post is opt-in on the preview card.
  if (!input.alsoChannel && stored.alsoPostToChannelId) {
    await deps.store.broadcasts.update(broadcastKey(stored.id), (b) =>
      b ? { ...b, alsoPostToChannelId: undefined } : undefined,
    );
  }
  const conversation = turn.context.activity.conversation;
  if (turn.cardActivityId && conversation) {
    const ref = turn.context.activity;
    await deps.store.broadcasts.update(broadcastKey(stored.id), (b) =>
      b
        ? {
            ...b,
            progressCard: {
              activityId: turn.cardActivityId!,
              conversation: {
                serviceUrl: ref.serviceUrl,
                channelId: ref.channelId,
                conversationId: conversation.id,
                conversationType: conversation.conversationType ?? 'personal',
                tenantId: conversation.tenantId,
                botId: ref.recipient?.id ?? '',
                botName: ref.recipient?.name,
                userId: ref.from?.id ?? '',
              },
            },
          }
        : undefined,
    );
  }
  if (when && stored.kind === 'announcement') {
    await deps.store.waves.update(waveKey(stored.waveId), (w) =>
      w && w.state === 'draft' ? { ...w, state: 'scheduled', announceAt: when.toISOString() } : undefined,
    );
  }
  await confirm(deps, broadcastHooks(deps), stored.id, {
    ...(when ? { scheduledAt: when } : {}),
    actor: { aadObjectId: turn.actor.aadObjectId, name: turn.actor.name },
  });
  return broadcastProgressCard(turn, stored.id);
}

export async function cancelBroadcastAction(turn: AdminTurn, broadcastId: string): Promise<CardJson> {
  const stored = (await turn.deps.store.broadcasts.get(broadcastKey(broadcastId)))?.value;
  if (!stored) return notice(turn, turn.audience.t('admin.broadcast.notFound'));
  await cancel(turn.deps, broadcastId, { aadObjectId: turn.actor.aadObjectId, name: turn.actor.name });
  return broadcastProgressCard(turn, broadcastId);
}

export async function broadcastProgressCard(turn: AdminTurn, broadcastId: string): Promise<CardJson> {
  const stored = (await turn.deps.store.broadcasts.get(broadcastKey(broadcastId)))?.value;
  if (!stored) return notice(turn, turn.audience.t('admin.broadcast.notFound'));
  const { broadcast, counts } = await progress(turn.deps.store, broadcastId);
  return renderBroadcastProgressCard({ t: turn.audience.t, locale: turn.audience.locale, broadcast, counts });
}

function notice(turn: AdminTurn, text: string): CardJson {
  return renderMessageCard({ title: turn.audience.t('admin.invalid.title'), text, style: 'attention' });
}
