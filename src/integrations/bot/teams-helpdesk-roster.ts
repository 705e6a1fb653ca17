import { type CloudAdapter, TeamsInfo } from 'botbuilder';
import type { Clock } from '../../ports/clock';
import type { HelpdeskMember, HelpdeskRoster } from '../../ports/helpdesk-roster';
import type { RateGate } from '../../ports/rate-gate';

const DEFAULT_TTL_MS = 5 * 60_000;
const MAX_PAGES = 50;

/**
 * The helpdesk team's members from Teams (`/v3/conversations/{teamId}/pagedmembers`), cached for a
 * few minutes: every card action checks membership, and a roster change may take that long to apply.
 */
export class TeamsHelpdeskRoster implements HelpdeskRoster {
  private cache?: { at: number; members: HelpdeskMember[] };
  private loading?: Promise<HelpdeskMember[]>;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly teamId: string,
    private readonly clock: Clock,
    private readonly ttlMs = DEFAULT_TTL_MS,
    /** Each page is a connector call: it waits for an interactive turn of the outgoing budget. */
    private readonly budget?: RateGate,
  ) {}

  async members(serviceUrl: string): Promise<HelpdeskMember[]> {
    const now = this.clock.now().getTime();
    if (this.cache && now - this.cache.at < this.ttlMs) return this.cache.members;
    this.loading ??= this.load(serviceUrl).finally(() => {
      this.loading = undefined;
    });
    const members = await this.loading;
    this.cache = { at: now, members };
    return members;
  }

  private async load(serviceUrl: string): Promise<HelpdeskMember[]> {
    const out: HelpdeskMember[] = [];
    const reference = {
      serviceUrl,
      channelId: 'msteams',
      conversation: { id: this.teamId, isGroup: true, conversationType: 'channel', name: '' },
    };
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (ctx) => {
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        await this.budget?.take(undefined, 'interactive');
        const res = await TeamsInfo.getPagedTeamMembers(ctx, this.teamId, 500, token);
        for (const m of res.members ?? []) {
          const raw = m as { aadObjectId?: string; objectId?: string; name?: string };
          const id = (raw.aadObjectId ?? raw.objectId ?? '').toLowerCase();
          if (id) out.push({ aadObjectId: id, ...(raw.name ? { name: raw.name } : {}) });
        }
        token = res.continuationToken || undefined;
        if (!token) break;
      }
    });
    return out;
  }
}
