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
  /**
   * The id of the 1:1 chat Teams made for the app's installation (Graph `installedApps/{id}/chat`),
   * which is the conversation to message: no connector call opens it, so Teams' per-app rate is kept
   * for messages. Undefined when Graph does not tell it (the chat is then opened through the connector).
   */
  chatIdFor(aadObjectId: string): Promise<string | undefined>;
}
