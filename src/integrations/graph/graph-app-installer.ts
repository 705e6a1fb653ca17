import type { AppInstaller, InstallOutcome } from '../../ports/app-installer';
import { type GraphApi, GraphRequestError } from './graph-api';

/**
 * Installs the Teams app for a user through Graph (`TeamsAppInstallation.ReadWriteForUser.All`), so
 * the bot can message someone it has never talked to, and reads the 1:1 chat Teams made for the
 * installation (the documented way to message after a proactive install). Throttling and outages are retried
 * by GraphApi; what remains is either an answer below or an error worth retrying later.
 */
export class GraphAppInstaller implements AppInstaller {
  constructor(
    private readonly graph: GraphApi,
    /** The app's id in the organisation's app catalog (TEAMS_APP_ID). */
    private readonly teamsAppId: string,
    /** Graph's base URL, for the `teamsApp@odata.bind` reference (https://graph.microsoft.com). */
    private readonly graphBaseUrl: string,
  ) {
    if (!teamsAppId.trim())
      throw new Error('GraphAppInstaller needs the Teams app catalog id (TEAMS_APP_ID)');
  }

  async installFor(aadObjectId: string): Promise<InstallOutcome> {
    const user = encodeURIComponent(aadObjectId);
    const base = this.graphBaseUrl.replace(/\/+$/, '');
    try {
      await this.graph.post(`/users/${user}/teamwork/installedApps`, {
        'teamsApp@odata.bind': `${base}/v1.0/appCatalogs/teamsApps/${encodeURIComponent(this.teamsAppId)}`,
      });
      return 'installed';
    } catch (err) {
      if (err instanceof GraphRequestError) {
        if (err.status === 409) return 'already-installed';
        // The user blocked the app, or an app permission policy forbids it: retrying will not help.
        if (err.status === 403) return 'blocked';
        if (err.status === 404) return 'user-not-found';
      }
      throw err;
    }
  }

  /**
   * Two reads: the app's installation for the user (filtered by catalog id), then its chat. Graph
   * refusing either is an answer of "unknown" (the caller opens the chat through the connector);
   * anything else (Graph unreachable) goes up.
   */
  async chatIdFor(aadObjectId: string): Promise<string | undefined> {
    const user = encodeURIComponent(aadObjectId);
    const filter = encodeURIComponent(`teamsApp/id eq '${this.teamsAppId.replace(/'/g, "''")}'`);
    try {
      const installs = await this.graph.get<{ value?: { id?: string }[] }>(
        `/users/${user}/teamwork/installedApps?$filter=${filter}&$select=id`,
      );
      const installation = installs.value?.[0]?.id;
      if (!installation) return undefined;
      const chat = await this.graph.get<{ id?: string }>(
        `/users/${user}/teamwork/installedApps/${encodeURIComponent(installation)}/chat`,
      );
      return typeof chat.id === 'string' && chat.id ? chat.id : undefined;
    } catch (err) {
      if (err instanceof GraphRequestError) return undefined;
      throw err;
    }
  }
}
