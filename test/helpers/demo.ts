import type { DeviceObservation } from '../../src/domain/device';

/** Demo-tenant people and devices shared by the route tests (ALEX lives in activities.ts). */
export const MEGAN = {
  id: '29:megan-teams-id',
  aadObjectId: '00000000-0000-0000-0000-0000000000021',
  name: 'Megan Bowen',
  upn: 'meganb@example.com',
};
export const ADELE = {
  id: '29:adele-teams-id',
  aadObjectId: '00000000-0000-0000-0000-0000000000022',
  name: 'Adele Vance',
  upn: 'adelev@example.com',
};

export const HELPDESK_CHANNEL = '19:mc-migration-escalations@thread.tacv2';
export const HELPDESK_TEAM = '19:mc-team-general@thread.tacv2';

export const WS1 = 'workspace-one-app-id';
/** Alex's personal iPhone, still managed by Workspace ONE. */
export const IPHONE: DeviceObservation = {
  key: 'iphone-1',
  name: "Alex's iPhone",
  platform: 'ios',
  osVersion: '18.1',
  ownership: 'personal',
  management: { kind: 'partner', mdmAppId: WS1 },
  entra: { objectId: 'o1', deviceId: 'iphone-1', isManaged: true, mdmAppId: WS1 },
};
/** Alex's company laptop, still managed by Workspace ONE: IT must move it. */
export const LAPTOP: DeviceObservation = {
  key: 'laptop-1',
  name: 'ALEX-LAPTOP',
  platform: 'windows',
  ownership: 'company',
  management: { kind: 'partner', mdmAppId: WS1 },
  entra: { objectId: 'o2', deviceId: 'laptop-1', isManaged: true, mdmAppId: WS1 },
};
