import type { DeviceObservation } from '../domain/device';

/** What the product needs to know about users and devices; backed by Microsoft Graph. */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string;
  preferredLanguage?: string;
}

export interface DeviceDirectory {
  findUser(idOrUpn: string): Promise<DirectoryUser | undefined>;
  /** All devices of one user as Intune and Entra see them, merged per physical device. */
  devicesOfUser(user: { id: string; userPrincipalName: string }): Promise<DeviceObservation[]>;
}
