/**
 * The chaos benchmark's simulated people: each walks a journey in their 1:1 chat (start, check,
 * "I'm stuck", "remind me tomorrow", post-enrollment check) by posting activities, as Teams does, to
 * an app instance's /api/messages. A message's answer is the reply that reaches the connector
 * simulator; a card action's answer is the card in the HTTP response. A turn whose connection dies
 * (its instance was killed) is sent again, with the same activity id, to the other instance — what a
 * load balancer in front of the instances does with the user's retry — and still counts once.
 */
import type { ConnectorSim } from '../src/dev/connector-sim';
import { JOURNEY_VERBS } from '../src/verbs/journey';
import { type BenchUser, personalActivity, postActivity } from './chat-users';

/** A turn that has not been answered this long after it was first sent counts as hung. */
export const HUNG_MS = 15_000;
/** How long a turn is given, retries included, before it counts as unanswered. */
const GIVE_UP_MS = 30_000;

export type { BenchUser };

/** What one person was told, to be checked against storage afterwards. */
export interface Told {
  /** The highest journey version a card they were shown carries. */
  journeyVersion: number;
  /** They were shown their journey card (so journeys exist). */
  started: boolean;
  /** "I'm stuck" was answered with their journey card (so a ticket must follow). */
  stuck: boolean;
  /** Post-enrollment check answers accepted, per device key. */
  postChecked: Set<string>;
}

export interface TurnStats {
  turns: number;
  answered: number;
  /** Answered with the "can't reach my records" card or another error card: a clear error. */
  errorCards: number;
  unanswered: number;
  hung: number;
  retried: number;
  slowestMs: number;
}

type Card = Record<string, unknown>;

interface Action {
  verb: string;
  data: Record<string, unknown>;
}

/** Every Action.Execute in a card (actions, show-cards and inputs' inline actions). */
export function executeActions(card: unknown): Action[] {
  const out: Action[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'Action.Execute' && typeof o.verb === 'string')
      out.push({ verb: o.verb, data: (o.data as Record<string, unknown>) ?? {} });
    for (const v of Object.values(o)) walk(v);
  };
  walk(card);
  return out;
}

/** The journey card is the one that keeps itself current (`refresh`); notices and errors have none. */
const isJourneyCard = (card: Card | undefined) => !!card && card.refresh !== undefined;

export class UserSimulator {
  readonly stats: TurnStats = {
    turns: 0,
    answered: 0,
    errorCards: 0,
    unanswered: 0,
    hung: 0,
    retried: 0,
    slowestMs: 0,
  };
  readonly told = new Map<string, Told>();
  /** Why turns went unanswered (no instance took it; the HTTP status of one that took it), for the log. */
  readonly unansweredWhy = new Map<string, number>();
  /** Error cards by their text (product strings only), for the log. */
  readonly errorTexts = new Map<string, number>();
  /** The activity id of each person's journey card in their chat, which card actions reply to. */
  private readonly cardIds = new Map<string, string>();
  private seq = 0;
  private next = 0;

  constructor(
    private readonly endpoints: () => string[],
    private readonly connector: ConnectorSim,
    private readonly tenantId: string,
  ) {}

  private toldOf(u: BenchUser): Told {
    let t = this.told.get(u.aadObjectId);
    if (!t) {
      t = { journeyVersion: 0, started: false, stuck: false, postChecked: new Set() };
      this.told.set(u.aadObjectId, t);
    }
    return t;
  }

  private activity(u: BenchUser, extra: Record<string, unknown>): Record<string, unknown> {
    return personalActivity(
      'chaos',
      ++this.seq,
      u,
      { serviceUrl: this.connector.url, tenantId: this.tenantId },
      extra,
    );
  }

  /** Posts to one instance after another until one takes the activity; undefined when none did in time. */
  private async post(
    body: Record<string, unknown>,
    deadline: number,
  ): Promise<{ status: number; json?: unknown } | undefined> {
    let attempt = 0;
    while (Date.now() < deadline) {
      const urls = this.endpoints();
      const url = urls[this.next++ % urls.length]!;
      if (attempt++ > 0) this.stats.retried++;
      try {
        return await postActivity(url, body, deadline);
      } catch {
        // Connection refused or reset: that instance is gone; the other one takes the retry.
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    return undefined;
  }

  private noteUnanswered(why: string): void {
    this.unansweredWhy.set(why, (this.unansweredWhy.get(why) ?? 0) + 1);
  }

  private noteError(card: Card | undefined): void {
    const texts = JSON.stringify(card?.body ?? '').match(/"text":"([^"]{0,80})/g) ?? ['(no card)'];
    const key = texts.slice(0, 2).join(' | ');
    this.errorTexts.set(key, (this.errorTexts.get(key) ?? 0) + 1);
  }

  private finish(startedAt: number, answered: boolean, errorCard: boolean): void {
    const ms = Date.now() - startedAt;
    this.stats.turns++;
    if (!answered) {
      this.stats.unanswered++;
      return;
    }
    this.stats.answered++;
    if (errorCard) this.stats.errorCards++;
    if (ms > HUNG_MS) this.stats.hung++;
    this.stats.slowestMs = Math.max(this.stats.slowestMs, ms);
  }

  private noteCard(u: BenchUser, card: Card | undefined): void {
    if (!isJourneyCard(card)) return;
    const told = this.toldOf(u);
    told.started = true;
    for (const a of executeActions(card)) {
      const v = Number(a.data.v);
      if (Number.isFinite(v)) told.journeyVersion = Math.max(told.journeyVersion, v);
    }
  }

  /** "start" typed in the chat; resolves with the journey card of the reply when there was one. */
  async message(u: BenchUser, text: string): Promise<Card | undefined> {
    const startedAt = Date.now();
    const body = this.activity(u, { type: 'message', text });
    const id = body.id as string;
    const deadline = startedAt + GIVE_UP_MS;
    const res = await this.post(body, deadline);
    let reply: Card | undefined;
    let answered = false;
    if (res) {
      // The reply is at the connector once the turn is over; allow for the send still on its way.
      while (Date.now() < deadline) {
        const m = this.connector.messages.find(
          (x) => x.conversationId === u.conversationId && x.activity?.replyToId === id,
        );
        if (m) {
          answered = true;
          const att = (m.activity?.attachments as { content?: Card }[] | undefined)?.[0];
          reply = att?.content;
          if (isJourneyCard(reply)) this.cardIds.set(u.aadObjectId, m.activityId);
          break;
        }
        if (res.status >= 400 && Date.now() - startedAt > 2_000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.finish(startedAt, answered, answered && !isJourneyCard(reply));
    if (answered && !isJourneyCard(reply)) this.noteError(reply);
    if (!answered)
      this.noteUnanswered(`message: ${res ? `HTTP ${res.status}, no reply` : 'no instance took it'}`);
    this.noteCard(u, reply);
    return isJourneyCard(reply) ? reply : undefined;
  }

  /** A button on the journey card (Action.Execute invoke); resolves with the card that replaces it. */
  async action(u: BenchUser, verb: string, data: Record<string, unknown>): Promise<Card | undefined> {
    const startedAt = Date.now();
    const body = this.activity(u, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: this.cardIds.get(u.aadObjectId) ?? `journey-card-${u.index}`,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    const res = await this.post(body, startedAt + GIVE_UP_MS);
    const card =
      res?.status === 200
        ? ((res.json as { value?: Card } | undefined)?.value as Card | undefined)
        : undefined;
    const answered = !!card && typeof card === 'object';
    this.finish(startedAt, answered, answered && !isJourneyCard(card));
    if (answered && !isJourneyCard(card)) this.noteError(card);
    if (!answered)
      this.noteUnanswered(
        `card action: ${res ? `HTTP ${res.status} without a card` : 'no instance took it'}`,
      );
    this.noteCard(u, card);
    if (isJourneyCard(card)) {
      const told = this.toldOf(u);
      if (verb === JOURNEY_VERBS.stuck) told.stuck = true;
      if (verb === JOURNEY_VERBS.postCheck && typeof data.device === 'string')
        told.postChecked.add(data.device);
    }
    return isJourneyCard(card) ? card : undefined;
  }

  /**
   * One walk: start, the journey's own next step when offered, check, stuck (one person in four),
   * remind me tomorrow (one in three), post-enrollment check when offered.
   */
  async walk(u: BenchUser, round: number, random: () => number): Promise<void> {
    let card = await this.message(u, 'start');
    if (!card) return;
    const pick = (verb: string) => executeActions(card).find((a) => a.verb === verb);
    const step = async (verb: string, extra: Record<string, unknown> = {}) => {
      const a = pick(verb);
      if (!a) return;
      const next = await this.action(u, verb, { ...a.data, ...extra });
      if (next) card = next;
    };
    await step(JOURNEY_VERBS.unenrolled);
    await step(JOURNEY_VERBS.check);
    if (round === 0 && random() < 0.25)
      await step(JOURNEY_VERBS.stuck, { category: 'portal', said: 'chaos' });
    if (random() < 0.33) await step(JOURNEY_VERBS.defer);
    await step(JOURNEY_VERBS.postCheck, {
      email: 'yes',
      wifi: 'yes',
      vpn: 'yes',
      certificates: 'yes',
      apps: 'yes',
    });
  }
}
