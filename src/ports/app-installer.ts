/** Installs the Teams app for a user so the bot can message them (Graph `teamwork/installedApps`). */
export type InstallOutcome =
  /** 201: installed now. */
  | 'installed'
  /** 409: it was there already. */
  | 'already-installed'
  /** 403: the user blocked the app or a policy forbids it; record it and do not retry. */
  | 'blocked'
  /** 404: no such user. */
  | 'user-not-found';

export interface AppInstaller {
  installFor(aadObjectId: string): Promise<InstallOutcome>;
}
