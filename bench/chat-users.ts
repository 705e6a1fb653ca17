/**
 * What the benchmarks that chat with the bot through `POST /api/messages` share (bench/turns.ts,
 * bench/chaos.ts): the simulated people, one active wave they are placed in, and the personal-chat
 * activity Teams would send for each of them.
 */
import type { TenantSeed } from '../src/dev/tenant-sim';
import { type Campaign, campaignKey, type Wave, waveKey } from '../src/domain/campaign';
import { placeInWave } from '../src/features/membership';
import type { Store } from '../src/ports/store';
import { log } from './shared';

const DAY = 24 * 60 * 60 * 1000;

/** One simulated person in a personal chat with the bot. */
export interface BenchUser {
  index: number;
  aadObjectId: string;
  name: string;
  teamsId: string;
  conversationId: string;
  locale: string;
}

/**
 * The campaign and one active wave (announced two days ago, in a grace period) holding every user
 * of the tenant simulator's seed; returns them as chat users whose ids begin with `prefix`.
 */
export async function seedChatWave(
  store: Store,
  seed: TenantSeed,
  options: { prefix: string; waveId: string; name: string; deferralLimit: number; now: Date },
): Promise<BenchUser[]> {
  const { now, prefix } = options;
  const iso = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  const campaign: Campaign = {
    id: 'default',
    name: options.name,
    sourceMdm: 'workspace-one',
    voluntaryOptIn: false,
    createdAt: iso(-7),
  };
  const wave: Wave = {
    id: options.waveId,
    name: `${options.name} wave`,
    order: 0,
    state: 'active',
    announceAt: iso(-2),
    startAt: iso(-1),
    conditionalAccess: { kind: 'grace', endsAt: iso(14) },
    reminders: { enabled: true, deferralLimit: options.deferralLimit },
    estimatedMinutes: 20,
    createdAt: iso(-7),
  };
  await store.campaigns.update(campaignKey(), () => campaign);
  await store.waves.update(waveKey(wave.id), () => wave);
  const waves = new Map([[wave.id, wave]]);
  const seeded = seed.users ?? [];
  const users: BenchUser[] = seeded.map((u, index) => ({
    index,
    aadObjectId: u.id.toLowerCase(),
    name: u.displayName,
    teamsId: `29:${prefix}-${index}`,
    conversationId: `a:${prefix}-${index}`,
    locale: u.preferredLanguage === 'sv-SE' ? 'sv-SE' : 'en-US',
  }));
  for (const [i, u] of users.entries()) {
    await placeInWave({ store, clock: { now: () => now } }, wave, waves, {
      aadObjectId: u.aadObjectId,
      userPrincipalName: seeded[i]!.userPrincipalName,
      displayName: u.name,
    });
  }
  log(
    `seeded an active wave of ${users.length} people; ${seed.devices?.length ?? 0} devices in the tenant simulator`,
  );
  return users;
}

/** The activity Teams posts for `u` in their personal chat with the bot, with `extra` on top. */
export function personalActivity(
  prefix: string,
  seq: number,
  u: BenchUser,
  to: { serviceUrl: string; tenantId: string },
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: `${prefix}-${u.index}-${seq}`,
    channelId: 'msteams',
    serviceUrl: to.serviceUrl,
    locale: u.locale,
    timestamp: new Date().toISOString(),
    from: { id: u.teamsId, name: u.name, aadObjectId: u.aadObjectId },
    recipient: { id: `28:${prefix}-bot`, name: 'Migration Companion' },
    conversation: { id: u.conversationId, conversationType: 'personal', tenantId: to.tenantId },
    entities: [{ type: 'clientInfo', locale: u.locale, timezone: 'Europe/Stockholm' }],
    channelData: { tenant: { id: to.tenantId } },
    ...extra,
  };
}

/**
 * Posts one activity to an instance's `/api/messages` and reads its answer (JSON when it is).
 * Rejects when the instance cannot be reached or `deadline` (epoch ms) passes first.
 */
export async function postActivity(
  baseUrl: string,
  body: Record<string, unknown>,
  deadline: number,
): Promise<{ status: number; json?: unknown }> {
  const res = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
  });
  const text = await res.text();
  try {
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: res.status };
  }
}
