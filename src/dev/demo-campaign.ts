/**
 * The demo campaign the local stack starts with: Workspace ONE → Intune, a "Pilot" wave that was
 * announced two days ago with a grace period ending in two weeks, holding Alex, Megan and Adele; and
 * (`seedMeganNeedsIt`, seeded by the local stack) Megan's corporate, supervised iPhone with IT
 * (`needs-it`) and its open ticket, whose card the helpdesk job posts in "Migration escalations"
 * shortly after start-up. Development only. Idempotent: existing
 * rows are left as they are.
 */

import { type Campaign, campaignKey, type Wave, waveKey } from '../domain/campaign';
import { oldMdmDeviceKey } from '../domain/device-sources';
import { escalationKey } from '../domain/escalation';
import type { DeviceJourney } from '../domain/journey';
import { openJourney, transition } from '../domain/journey-transition';
import { type ConversationAddress, participantKey } from '../domain/participant';
import { participantOf, raiseEscalation } from '../features/helpdesk/escalation-service';
import { placeInWave } from '../features/membership';
import type { Store } from '../ports/store';
import { MEGAN_IPHONE } from './workspace-one-sim/demo';

const DAY = 24 * 60 * 60 * 1000;

export const DEMO_PILOT_WAVE_ID = 'pilot';
export const DEMO_VOLUNTEER_WAVE_ID = 'volunteers';

export const DEMO_PILOT_MEMBERS = [
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000020',
    userPrincipalName: 'alexw@example.com',
    displayName: 'Alex Wilber',
  },
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000021',
    userPrincipalName: 'meganb@example.com',
    displayName: 'Megan Bowen',
  },
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000022',
    userPrincipalName: 'adelev@example.com',
    displayName: 'Adele Vance',
  },
];

/** Megan's 1:1 chat as the bot would have stored it; `serviceUrl` is where the connector listens. */
export const DEMO_MEGAN_CHAT_ID = 'a:mc-personal-chat-meganb';
/** The tenant and bot of .m365agentsplayground.yml. */
const DEMO_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
const DEMO_BOT_ID = '00000000-0000-0000-0000-00000000000011';

export interface DemoSeedOptions {
  /** The Bot Connector's address (the Agents Playground's) for the chats the demo seeds. */
  serviceUrl?: string;
}

export async function seedDemoCampaign(
  store: Store,
  now: Date,
  _options: DemoSeedOptions = {},
): Promise<void> {
  const iso = (offsetDays: number) => new Date(now.getTime() + offsetDays * DAY).toISOString();
  const campaign: Campaign = {
    id: 'default',
    name: 'Workspace ONE to Intune',
    sourceMdm: 'workspace-one',
    voluntaryOptIn: true,
    voluntaryWaveId: DEMO_VOLUNTEER_WAVE_ID,
    createdAt: iso(-7),
  };
  const pilot: Wave = {
    id: DEMO_PILOT_WAVE_ID,
    name: 'Pilot',
    order: 0,
    state: 'announced',
    announceAt: iso(-2),
    startAt: iso(-1),
    conditionalAccess: { kind: 'grace', endsAt: iso(14) },
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: 20,
    createdAt: iso(-7),
  };
  const volunteers: Wave = {
    ...pilot,
    id: DEMO_VOLUNTEER_WAVE_ID,
    name: 'Early volunteers',
    order: 1,
    state: 'active',
    conditionalAccess: { kind: 'none' },
  };
  await store.campaigns.update(campaignKey(), (cur) => cur ?? campaign);
  await store.waves.update(waveKey(pilot.id), (cur) => cur ?? pilot);
  await store.waves.update(waveKey(volunteers.id), (cur) => cur ?? volunteers);
  // Members join through the one module that writes wave membership, dated when the pilot was filled.
  const filled = { store, clock: { now: () => new Date(iso(-2)) } };
  const waves = new Map([pilot, volunteers].map((w) => [w.id, w]));
  for (const m of DEMO_PILOT_MEMBERS) {
    await placeInWave(filled, pilot, waves, {
      aadObjectId: m.aadObjectId,
      userPrincipalName: m.userPrincipalName,
      displayName: m.displayName,
    });
  }
}

const MEGAN = DEMO_PILOT_MEMBERS[1]!;
/** The journey key of Megan's iPhone, which only Workspace ONE lists. */
export const DEMO_MEGAN_IPHONE_KEY = oldMdmDeviceKey('workspace-one', String(MEGAN_IPHONE.id));

/**
 * Megan started her journey yesterday and said she cannot remove Workspace ONE from her iPhone (it is
 * supervised); the ticket was raised then and its card never reached the channel, so the helpdesk job
 * posts it on its first round. Written once: a Megan with journeys or a ticket is left alone.
 */
export async function seedMeganNeedsIt(
  store: Store,
  now: Date,
  serviceUrl: string | undefined,
): Promise<void> {
  const at = new Date(now.getTime() - DAY);
  const observed = openJourney(
    {
      key: DEMO_MEGAN_IPHONE_KEY,
      name: MEGAN_IPHONE.friendlyName,
      platform: 'ios',
      model: MEGAN_IPHONE.model,
      ownership: 'company',
      management: { kind: 'partner', oldMdm: 'workspace-one' },
      oldMdm: {
        source: 'workspace-one',
        vendor: 'workspace-one',
        vendorId: String(MEGAN_IPHONE.id),
        listed: true,
        identified: false,
      },
    },
    at,
  ).journey;
  let journey: DeviceJourney = transition(observed, { kind: 'start' }, at).journey;
  const reason = 'Supervised company iPhone: the Workspace ONE profile cannot be removed on the device';
  journey = transition(journey, { kind: 'cannot-self-unenroll', reason }, at).journey;
  const conversation: ConversationAddress | undefined = serviceUrl
    ? {
        serviceUrl,
        channelId: 'msteams',
        conversationId: DEMO_MEGAN_CHAT_ID,
        conversationType: 'personal',
        tenantId: DEMO_TENANT_ID,
        botId: DEMO_BOT_ID,
        userId: 'user-id-1',
      }
    : undefined;
  let seeded = false;
  const saved = await store.participants.update(participantKey(MEGAN.aadObjectId), (cur) => {
    seeded = false;
    if (!cur || cur.journeys?.length) return undefined;
    seeded = true;
    return {
      ...cur,
      journeys: [journey],
      ...(conversation && !cur.conversation ? { conversation } : {}),
      version: cur.version + 1,
    };
  });
  if (!seeded || !saved || (await store.escalations.get(escalationKey(MEGAN.aadObjectId)))) return;
  await raiseEscalation(
    store,
    { now: () => at },
    {
      participant: participantOf(saved),
      trigger: {
        reason: 'needs-it',
        deviceKey: DEMO_MEGAN_IPHONE_KEY,
        detail: { reason },
        at: at.toISOString(),
      },
    },
  );
}
