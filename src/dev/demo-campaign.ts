/**
 * The demo campaign the local stack starts with: Workspace ONE → Intune, a "Pilot" wave that was
 * announced two days ago with a grace period ending in two weeks, holding Alex, Megan and Adele.
 * Development only. Idempotent: existing rows are left as they are.
 */

import { type Campaign, campaignKey, type Wave, waveKey } from '../domain/campaign';
import { placeInWave } from '../features/membership';
import type { Store } from '../ports/store';

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

export async function seedDemoCampaign(store: Store, now: Date): Promise<void> {
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
