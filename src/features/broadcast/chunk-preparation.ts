/**
 * Everything a recipient's message needs before its row is claimed: the card (composed from what the
 * delivery job carries, or from the participant row when the hooks ask for it) and the chat to send
 * it to — opened first, through a Graph app install, for someone the bot has never talked to. A try
 * that ends here never reached the connector, and is recorded as such with the chunk's claim.
 */
import type { Deps } from '../../deps';
import type { Broadcast, Delivery, JobRecipient } from '../../domain/broadcast';
import {
  type AfterFailure,
  afterNotSent,
  classifyConnectorStatus,
  DEFAULT_THROTTLE_SECONDS,
  failedDelivery,
  MAX_RETRY_AFTER_SECONDS,
} from '../../domain/broadcast-pacing';
import { type ConversationAddress, type Participant, participantKey } from '../../domain/participant';
import { ConnectorError, type OutgoingCard } from '../../ports/messenger';
import type { RateGate } from '../../ports/rate-gate';
import type { Stored } from '../../ports/store';
import type { BroadcastHooks, Recipient } from './broadcast-service';
import type { RowWrite } from './delivery-rows';

export type SenderDeps = Pick<
  Deps,
  'store' | 'messenger' | 'clock' | 'logger' | 'config' | 'appInstaller' | 'deliveryQueue'
>;

export type SendOutcome =
  | 'sent'
  | 'uncertain'
  | 'failed'
  | 'cancelled'
  | 'retry'
  | 'wait'
  | 'skipped'
  | 'orphan'
  | 'released';

/** A row found ready to send (or to send again after a crash). */
export interface Candidate {
  recipient: JobRecipient;
  row: Stored<Delivery>;
  resend: boolean;
}

export type Prepared =
  | { kind: 'ready'; c: Candidate; to: ConversationAddress; message: OutgoingCard; person: Recipient }
  /** Ended before the connector: `write` (if any) goes with the chunk's claim; `delayMs`: look again then. */
  | { kind: 'settled'; c: Candidate; outcome: SendOutcome; write?: RowWrite; delayMs?: number };

export type ConnectorFailure = {
  class: ReturnType<typeof classifyConnectorStatus>;
  status?: number;
  code?: string;
  retryAfterSeconds?: number;
};

export function failureOf(err: unknown): ConnectorFailure {
  if (!(err instanceof ConnectorError)) return { class: 'unknown-outcome' };
  // A refused or unresolvable connection never reached the connector.
  const neverSent = err.status === 0 && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/.test(err.code ?? '');
  return {
    class: neverSent ? 'retry' : classifyConnectorStatus(err.status),
    status: err.status || undefined,
    code: err.code,
    retryAfterSeconds: err.retryAfterSeconds,
  };
}

/** Every sender on every instance waits out a 429's Retry-After. */
export async function pauseEveryone(
  deps: SenderDeps,
  gate: RateGate,
  retryAfterSeconds: number | undefined,
): Promise<void> {
  const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS);
  const until = new Date(deps.clock.now().getTime() + seconds * 1000);
  deps.logger.warn({ until }, 'Teams is throttling: every sender pauses');
  try {
    await gate.pauseUntil(until);
  } catch (err) {
    deps.logger.warn({ err }, 'could not share the pause; this instance pauses anyway');
  }
}

export class ChunkPreparation {
  constructor(
    private readonly deps: SenderDeps,
    private readonly hooks: BroadcastHooks,
    private readonly gate: RateGate,
    private readonly random: () => number,
    private readonly signal: AbortSignal,
  ) {}

  async prepare(b: Broadcast, c: Candidate): Promise<Prepared> {
    const d = c.row.value;
    const wantsRow = this.hooks.composeNeedsParticipant !== false;
    // The participant row only when the card needs more than the job carries, or there is no chat yet.
    const participant =
      wantsRow || !c.recipient.chat
        ? (await this.deps.store.participants.get(participantKey(d.aadObjectId)))?.value
        : undefined;
    // Erased while the broadcast was under way: nothing goes out, and their delivery row stays gone.
    if (participant?.erasedAt) return { kind: 'settled', c, outcome: 'orphan' };
    const person: Recipient = {
      aadObjectId: d.aadObjectId,
      ...((d.userPrincipalName ?? participant?.userPrincipalName)
        ? { userPrincipalName: d.userPrincipalName ?? participant?.userPrincipalName }
        : {}),
      ...((d.displayName ?? participant?.displayName)
        ? { displayName: d.displayName ?? participant?.displayName }
        : {}),
    };
    let message: OutgoingCard;
    try {
      message = await this.hooks.compose(b, person, wantsRow ? participant : this.asCarried(c, person));
    } catch (err) {
      this.deps.logger.warn(
        { err, broadcastId: b.id, recipient: d.aadObjectId },
        'composing a broadcast card failed',
      );
      return this.notSent(c, { class: 'retry', code: 'compose-failed' });
    }
    const to = c.recipient.chat ?? participant?.conversation;
    if (to) return { kind: 'ready', c, to, message, person };
    const opened = await this.openChat(c, person);
    if (opened.kind === 'settled') return opened;
    c.recipient = { ...c.recipient, chat: opened.to };
    return { kind: 'ready', c, to: opened.to, message, person };
  }

  /** The participant as far as the delivery job carries it (the hooks said that is enough). */
  private asCarried(c: Candidate, person: Recipient): Participant {
    const r = c.recipient;
    return {
      ...person,
      ...(r.chat ? { conversation: r.chat } : {}),
      ...(r.locale ? { locale: r.locale } : {}),
      ...(r.language ? { language: r.language } : {}),
      ...(r.timeZone ? { timeZone: r.timeZone } : {}),
      firstSeenAt: c.row.value.queuedAt,
      lastSeenAt: c.row.value.queuedAt,
      version: 0,
    };
  }

  /**
   * Someone the bot has no chat with: install the app for them through Graph, then find the chat
   * (Graph names it; else the connector opens it) and keep its address on their participant row.
   */
  private async openChat(
    c: Candidate,
    r: Recipient,
  ): Promise<{ kind: 'opened'; to: ConversationAddress } | Extract<Prepared, { kind: 'settled' }>> {
    const installer = this.deps.appInstaller;
    const id = c.row.value.aadObjectId;
    if (!installer) {
      return this.finalFailure(c, 'rejected', 'no chat with the user and no app installer (TEAMS_APP_ID)');
    }
    let outcome: Awaited<ReturnType<typeof installer.installFor>>;
    try {
      outcome = await installer.installFor(id);
    } catch (err) {
      this.deps.logger.warn({ err, aadObjectId: id }, 'installing the app for a user failed');
      return this.notSent(c, { class: 'retry', code: 'app-install-failed' });
    }
    if (outcome === 'blocked') return this.finalFailure(c, 'app-install-blocked', 'Graph 403');
    if (outcome === 'user-not-found') return this.finalFailure(c, 'user-not-found', 'Graph 404');

    // The chat Teams made for the installation, read from Graph, costs nothing of Teams' per-app rate;
    // only when Graph does not name it (or cannot be reached now) is the chat opened through the
    // connector, in turn: the app is installed, so the connector can open it.
    const chatId = await installer.chatIdFor(id).catch(() => undefined);
    if (!chatId) await this.gate.take(this.signal, 'bulk');
    let address: ConversationAddress;
    try {
      address = await this.deps.messenger.openPersonalChat({
        aadObjectId: id,
        ...(this.deps.config.bot.tenantId ? { tenantId: this.deps.config.bot.tenantId } : {}),
        ...(chatId ? { chatId } : {}),
      });
    } catch (err) {
      const failure = failureOf(err);
      if (failure.class === 'throttled') await pauseEveryone(this.deps, this.gate, failure.retryAfterSeconds);
      // Nothing was sent yet, so an unknown outcome here is simply a retry.
      return this.notSent(c, {
        ...failure,
        class: failure.class === 'unknown-outcome' ? 'retry' : failure.class,
      });
    }
    const now = this.deps.clock.now().toISOString();
    await this.deps.store.participants.update(participantKey(id), (cur): Participant | undefined =>
      cur?.erasedAt
        ? undefined
        : cur
          ? { ...cur, conversation: address, version: cur.version + 1 }
          : {
              aadObjectId: id,
              ...(r.userPrincipalName ? { userPrincipalName: r.userPrincipalName } : {}),
              ...(r.displayName ? { displayName: r.displayName } : {}),
              conversation: address,
              firstSeenAt: now,
              lastSeenAt: now,
              version: 1,
            },
    );
    return { kind: 'opened', to: address };
  }

  private notSent(
    c: Candidate,
    failure: Parameters<typeof afterNotSent>[1],
  ): Extract<Prepared, { kind: 'settled' }> {
    const decide = (cur: Delivery) =>
      afterNotSent(cur, failure, this.deps.config.broadcast.maxAttempts, this.deps.clock.now(), this.random);
    const next = decide(c.row.value);
    if (!next) return { kind: 'settled', c, outcome: 'skipped' };
    return {
      kind: 'settled',
      c,
      outcome: outcomeOf(next),
      write: { id: c.recipient.id, etag: c.row.etag, value: next.record, redo: (cur) => decide(cur)?.record },
      ...(next.kind === 'retry' ? { delayMs: next.delayMs } : {}),
    };
  }

  private finalFailure(
    c: Candidate,
    reason: Parameters<typeof failedDelivery>[1],
    detail: string,
  ): Extract<Prepared, { kind: 'settled' }> {
    const fail = (cur: Delivery) =>
      cur.state === 'queued' || cur.state === 'sending'
        ? failedDelivery(cur, reason, detail, this.deps.clock.now())
        : undefined;
    const record = fail(c.row.value);
    if (!record) return { kind: 'settled', c, outcome: 'skipped' };
    return {
      kind: 'settled',
      c,
      outcome: 'failed',
      write: { id: c.recipient.id, etag: c.row.etag, value: record, redo: fail },
    };
  }
}

export function outcomeOf(next: AfterFailure): SendOutcome {
  if (next.kind === 'retry') return 'retry';
  return next.record.state === 'uncertain' ? 'uncertain' : 'failed';
}
