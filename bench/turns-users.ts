/**
 * The turn-latency benchmark's simulated people. Each, in their 1:1 chat, says "hello", says
 * "start", then presses "Check my device", "Remind me tomorrow" and "I'm stuck" on the journey card
 * — posting to /api/messages exactly what Teams posts (a message activity; an `adaptiveCard/action`
 * invoke carrying Action.Execute) — and times every turn:
 *
 * - a message's answer is the bot's reply to it (`replyToId` = the message) reaching the connector;
 * - a card action's answer is the card in the HTTP response to the invoke;
 * - when either answer is the "still working" card (the work passed the invoke budget), the answer
 *   is the update that replaces that card in place, when it reaches the connector.
 *
 * A turn's latency runs from the moment its POST is sent until its answer arrived. A turn is an
 * error when the POST is not answered 200, no answer arrives within 30 s, or the answer is not the
 * card that turn should bring (the welcome card for "hello", the journey card for the rest).
 */
import { translator } from '../src/i18n';
import { JOURNEY_VERBS } from '../src/verbs/journey';
import { executeActions } from './chaos-users';
import { type BenchUser, personalActivity, postActivity } from './chat-users';
import type { Card, ConnectorCall, ConnectorRecorder } from './turns-relay';

export const TURN_KINDS = ['hello', 'start', 'check', 'remind', 'stuck'] as const;
export type TurnKind = (typeof TURN_KINDS)[number];
/** The turns that wait on a Graph look-up ("start" the first time, "Check my device"). */
export const GRAPH_KINDS: readonly TurnKind[] = ['start', 'check'];

const GIVE_UP_MS = 30_000;

export type TurnUser = BenchUser;

export interface TurnRecord {
  kind: TurnKind;
  /** Epoch ms when its POST was sent. */
  startedAt: number;
  ms: number;
  ok: boolean;
  /** Answered by replacing a "still working" card. */
  late: boolean;
  why?: string;
  /** Trace runs only: storage requests and Graph requests while the turn ran. */
  storageOps?: number;
  graphRequests?: number;
}

export interface Probes {
  storage?: () => number;
  graph?: () => number;
}

const isJourneyCard = (card: Card | undefined) => !!card && card.refresh !== undefined;
const isWelcomeCard = (card: Card | undefined) =>
  !!card && executeActions(card).some((a) => a.verb === JOURNEY_VERBS.start);

/** The "still working" text in every language the people speak, as it appears inside card JSON. */
const PENDING = ['en', 'sv'].map((l) => JSON.stringify(translator(l)('journey.check.slow')).slice(1, -1));
const isPending = (card: Card | undefined) => {
  if (!card) return false;
  const json = JSON.stringify(card);
  return PENDING.some((p) => json.includes(p));
};

/** A short, non-personal description of a card that was not the expected one, for the log. */
function describe(card: Card | undefined): string {
  if (!card) return 'no card';
  const texts = JSON.stringify(card.body ?? '').match(/"text":"([^"]{0,60})/g) ?? [];
  return texts.slice(0, 2).join(' | ') || 'a card without text';
}

export class TurnUsers {
  readonly records: TurnRecord[] = [];
  private seq = 0;

  constructor(
    private readonly endpoint: string,
    private readonly connector: ConnectorRecorder,
    private readonly tenantId: string,
    private readonly probes: Probes = {},
  ) {}

  private activity(u: TurnUser, extra: Record<string, unknown>): Record<string, unknown> {
    return personalActivity(
      'turns',
      ++this.seq,
      u,
      { serviceUrl: this.connector.url, tenantId: this.tenantId },
      extra,
    );
  }

  private async post(
    body: Record<string, unknown>,
    deadline: number,
  ): Promise<{ status: number; json?: unknown }> {
    try {
      return await postActivity(this.endpoint, body, deadline);
    } catch {
      return { status: 0 };
    }
  }

  /** Times one turn: `run` resolves with the answer's arrival time and card, or why there is none. */
  private async turn(
    kind: TurnKind,
    expect: (card: Card | undefined) => boolean,
    run: (
      startedAt: number,
      deadline: number,
    ) => Promise<{ at: number; card?: Card; late: boolean } | string>,
  ): Promise<Card | undefined> {
    const storage0 = this.probes.storage?.();
    const graph0 = this.probes.graph?.();
    const startedAt = Date.now();
    const outcome = await run(startedAt, startedAt + GIVE_UP_MS);
    const probed = {
      ...(storage0 !== undefined ? { storageOps: this.probes.storage!() - storage0 } : {}),
      ...(graph0 !== undefined ? { graphRequests: this.probes.graph!() - graph0 } : {}),
    };
    if (typeof outcome === 'string') {
      this.records.push({
        kind,
        startedAt,
        ms: Date.now() - startedAt,
        ok: false,
        late: false,
        why: outcome,
        ...probed,
      });
      return undefined;
    }
    const ok = expect(outcome.card);
    this.records.push({
      kind,
      startedAt,
      ms: outcome.at - startedAt,
      ok,
      late: outcome.late,
      ...(ok ? {} : { why: `unexpected card: ${describe(outcome.card)}` }),
      ...probed,
    });
    return ok ? outcome.card : undefined;
  }

  /** The "still working" card was the answer: the real answer is the update that replaces it. */
  private async replaced(
    u: TurnUser,
    activityId: string,
    startedAt: number,
    deadline: number,
  ): Promise<ConnectorCall | undefined> {
    return this.connector.waitFor(
      (c) =>
        c.method === 'PUT' &&
        c.conversationId === u.conversationId &&
        c.activityId === activityId &&
        c.at >= startedAt,
      deadline,
    );
  }

  /** A message typed in the chat; resolves with the answer card and the id of the message carrying it. */
  async message(
    u: TurnUser,
    kind: TurnKind,
    text: string,
    expect: (card: Card | undefined) => boolean,
  ): Promise<{ card: Card; activityId: string } | undefined> {
    let activityId = '';
    const card = await this.turn(kind, expect, async (startedAt, deadline) => {
      const body = this.activity(u, { type: 'message', text });
      // The reply is sent within the turn, so it has reached the connector by the time the POST is answered.
      const res = await this.post(body, deadline);
      if (res.status !== 200) return `message: HTTP ${res.status}`;
      const reply = await this.connector.waitFor(
        (c) => c.method === 'POST' && c.conversationId === u.conversationId && c.replyToId === body.id,
        deadline,
      );
      if (!reply) return 'message: no reply reached the connector';
      activityId = reply.activityId;
      if (!isPending(reply.card)) return { at: reply.at, card: reply.card, late: false };
      const update = await this.replaced(u, reply.activityId, startedAt, deadline);
      return update
        ? { at: update.at, card: update.card, late: true }
        : 'message: the still-working card was never replaced';
    });
    return card ? { card, activityId } : undefined;
  }

  /** A button on a card (Action.Execute invoke); resolves with the card that replaces it. */
  async action(
    u: TurnUser,
    kind: TurnKind,
    cardId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<Card | undefined> {
    return this.turn(kind, isJourneyCard, async (startedAt, deadline) => {
      const body = this.activity(u, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: cardId,
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      });
      const res = await this.post(body, deadline);
      const at = Date.now();
      const card = (res.json as { value?: Card } | undefined)?.value;
      if (res.status !== 200) return `card action: HTTP ${res.status}`;
      if (!card || typeof card !== 'object') return 'card action: no card in the answer';
      if (!isPending(card)) return { at, card, late: false };
      const update = await this.replaced(u, cardId, startedAt, deadline);
      return update
        ? { at: update.at, card: update.card, late: true }
        : 'card action: the still-working card was never replaced';
    });
  }

  /** Notes the turns a walk could not take because an earlier one gave no card to press on. */
  private skipped(kinds: readonly TurnKind[], why: string): void {
    for (const kind of kinds)
      this.records.push({
        kind,
        startedAt: Date.now(),
        ms: 0,
        ok: false,
        late: false,
        why: `skipped: ${why}`,
      });
  }

  /** One person's five turns, with `pause()` between them (someone reading the card). */
  async walk(u: TurnUser, pause: () => Promise<void>): Promise<void> {
    await this.message(u, 'hello', 'hello', isWelcomeCard);
    await pause();
    const started = await this.message(u, 'start', 'start', isJourneyCard);
    if (!started) return this.skipped(['check', 'remind', 'stuck'], 'no journey card');
    const cardId = started.activityId;
    let card = started.card;
    const press = async (kind: TurnKind, verb: string, extra: Record<string, unknown> = {}) => {
      await pause();
      const a = executeActions(card).find((x) => x.verb === verb);
      if (!a) return this.skipped([kind], `no ${verb} on the card`);
      const next = await this.action(u, kind, cardId, verb, { ...a.data, ...extra });
      if (next) card = next;
    };
    await press('check', JOURNEY_VERBS.check);
    await press('remind', JOURNEY_VERBS.defer);
    await press('stuck', JOURNEY_VERBS.stuck, { category: 'portal', said: 'benchmark' });
  }
}
