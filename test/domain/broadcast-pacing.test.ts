import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Delivery } from '../../src/domain/broadcast';
import {
  afterFailure,
  afterNotSent,
  allDeliveriesFinal,
  backoffMs,
  classifyConnectorStatus,
  decideDelivery,
  finishedShare,
  jobsOf,
  laterJobs,
  markDelivered,
  markSending,
  parseRetryAfter,
  progressBar,
  queuedDelivery,
  retryDelayMs,
  uniqueRecipients,
} from '../../src/domain/broadcast-pacing';

const NOW = new Date('2026-11-23T09:00:00Z');
const T0 = NOW.getTime();

function delivery(over: Partial<Delivery> = {}): Delivery {
  return { ...queuedDelivery('b1', { aadObjectId: 'User-1', displayName: 'Ann' }, NOW), ...over };
}

describe('domain: broadcast pacing', () => {
  describe('retry rules', () => {
    it('classifies connector answers: 429 throttled; 412 and 5xx retried; other 4xx final; no answer unknown', () => {
      assert.equal(classifyConnectorStatus(429), 'throttled');
      for (const s of [412, 500, 502, 503, 504]) assert.equal(classifyConnectorStatus(s), 'retry', String(s));
      for (const s of [400, 401, 403, 404, 409, 413])
        assert.equal(classifyConnectorStatus(s), 'rejected', String(s));
      assert.equal(classifyConnectorStatus(undefined), 'unknown-outcome');
      assert.equal(classifyConnectorStatus(0), 'unknown-outcome');
    });

    it('reads Retry-After as seconds or as an HTTP date', () => {
      assert.equal(parseRetryAfter('3', NOW), 3);
      assert.equal(parseRetryAfter(' 1.5 ', NOW), 1.5);
      assert.equal(parseRetryAfter(new Date(T0 + 7_000).toUTCString(), NOW), 7);
      assert.equal(parseRetryAfter(new Date(T0 - 7_000).toUTCString(), NOW), 0);
      assert.equal(parseRetryAfter('soon', NOW), undefined);
      assert.equal(parseRetryAfter(undefined, NOW), undefined);
      assert.equal(parseRetryAfter('', NOW), undefined);
    });

    it('backs off exponentially with jitter inside [half, full] of the doubled delay, capped at a minute', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 30 }),
          fc.double({ min: 0, max: 0.999999, noNaN: true }),
          (attempt, r) => {
            const ms = backoffMs(attempt, () => r);
            const full = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
            assert.ok(ms >= full / 2 - 1 && ms <= full + 1, `${attempt}: ${ms}`);
          },
        ),
      );
      assert.notEqual(
        backoffMs(3, () => 0),
        backoffMs(3, () => 0.9),
        'jitter spreads retries',
      );
    });

    it('waits out Retry-After (capped at 5 minutes, up to 10 % jitter) instead of backing off', () => {
      assert.equal(
        retryDelayMs({ attempt: 4, retryAfterSeconds: 2 }, () => 0),
        2_000,
      );
      assert.equal(
        retryDelayMs({ attempt: 4, retryAfterSeconds: 2 }, () => 0.999),
        2_200,
      );
      assert.equal(
        retryDelayMs({ attempt: 1, retryAfterSeconds: 86_400 }, () => 0),
        300_000,
      );
    });
  });

  describe('delivery records', () => {
    it('decides what a sender does with the record it finds', () => {
      assert.deepEqual(decideDelivery(delivery(), NOW, 30_000), { kind: 'send' });
      for (const state of ['sent', 'failed', 'uncertain'] as const) {
        assert.deepEqual(decideDelivery(delivery({ state }), NOW, 30_000), { kind: 'skip' }, state);
      }
      const young = delivery({ state: 'sending', sendingSince: new Date(T0 - 10_000).toISOString() });
      assert.deepEqual(decideDelivery(young, NOW, 30_000), { kind: 'wait', waitMs: 20_000 });
      const old = delivery({ state: 'sending', sendingSince: new Date(T0 - 31_000).toISOString() });
      assert.deepEqual(decideDelivery(old, NOW, 30_000), { kind: 'resend' });
      assert.deepEqual(decideDelivery(delivery({ state: 'sending' }), NOW, 30_000), { kind: 'resend' });
    });

    it('records sent only for its own, first send; a re-send or someone else’s claim is uncertain', () => {
      const claim = markSending(delivery(), NOW);
      assert.equal(claim.state, 'sending');
      assert.equal(claim.attempts, 1);
      const mine = { sendingSince: claim.sendingSince!, resend: false };
      assert.equal(markDelivered(claim, mine, 'a1', NOW)?.state, 'sent');
      assert.equal(markDelivered(claim, mine, 'a1', NOW)?.activityId, 'a1');
      assert.equal(markDelivered(claim, { ...mine, resend: true }, 'a1', NOW)?.state, 'uncertain');
      const other = markSending(claim, new Date(T0 + 1));
      assert.equal(markDelivered(other, mine, 'a2', NOW)?.state, 'uncertain');
      const sentByOther = markDelivered(
        other,
        { sendingSince: other.sendingSince!, resend: false },
        'a3',
        NOW,
      )!;
      const doubled = markDelivered(sentByOther, mine, 'a4', NOW)!;
      assert.equal(doubled.state, 'uncertain');
      assert.equal(doubled.activityId, 'a3', 'the first activity id is kept');
    });

    it('retries 412/429/5xx back in `queued` until the attempt limit, then fails as retries-exhausted', () => {
      let d = delivery();
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) {
        d = markSending(d, NOW);
        const r = afterFailure(d, { class: 'retry', status: 503 }, 6, NOW, () => 0.5);
        seen.push(r.kind);
        d = r.record;
      }
      assert.deepEqual(seen, ['retry', 'retry', 'retry', 'retry', 'retry', 'failed']);
      assert.equal(d.state, 'failed');
      assert.equal(d.reason, 'retries-exhausted');
      assert.equal(d.attempts, 6);
      assert.match(d.detail ?? '', /503 after 6 attempts/);
    });

    it('a throttled send comes back after Retry-After; a rejected one fails at once with the code', () => {
      const sending = markSending(delivery(), NOW);
      const t = afterFailure(
        sending,
        { class: 'throttled', status: 429, retryAfterSeconds: 4 },
        6,
        NOW,
        () => 0,
      );
      assert.equal(t.kind, 'retry');
      if (t.kind === 'retry') {
        assert.equal(t.delayMs, 4_000);
        assert.equal(t.record.state, 'queued');
        assert.equal(t.record.sendingSince, undefined);
      }
      const r = afterFailure(
        sending,
        { class: 'rejected', status: 403, code: 'BotBlocked' },
        6,
        NOW,
        () => 0,
      );
      assert.equal(r.kind, 'failed');
      assert.equal(r.record.reason, 'rejected');
      assert.equal(r.record.detail, '403 BotBlocked');
    });
  });

  describe('recipients and progress', () => {
    it('keeps one entry per person (case-insensitive object ids), in a stable order', () => {
      const list = uniqueRecipients([
        { aadObjectId: 'B', displayName: 'Bo' },
        { aadObjectId: 'a' },
        { aadObjectId: 'b', displayName: 'dup' },
        { aadObjectId: '  ' },
      ]);
      assert.deepEqual(list, [{ aadObjectId: 'a' }, { aadObjectId: 'b', displayName: 'Bo' }]);
    });

    it('is done only when nothing is queued or sending and everyone is recorded', () => {
      const c = { queued: 0, sending: 0, sent: 8, failed: 1, uncertain: 1 };
      assert.equal(allDeliveriesFinal(c, 10), true);
      assert.equal(allDeliveriesFinal(c, 11), false);
      assert.equal(allDeliveriesFinal({ ...c, sending: 1 }, 10), false);
      assert.equal(finishedShare(c, 20), 0.5);
      assert.equal(progressBar(0.5, 10), '▰▰▰▰▰▱▱▱▱▱');
      assert.equal(progressBar(2, 4), '▰▰▰▰');
    });
  });

  describe('delivery jobs', () => {
    const chat = (i: number, long = 0) => ({
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      channelId: 'msteams',
      conversationId: `a:${'x'.repeat(long)}${i}`,
      botId: '28:bot',
      userId: `29:${i}`,
    });

    it('cuts recipients into jobs of at most 100, fewer when their chat addresses are long, keeping the order', () => {
      const short = Array.from({ length: 250 }, (_, i) => ({
        id: `u${String(i).padStart(3, '0')}`,
        chat: chat(i),
      }));
      assert.deepEqual(
        jobsOf('b', short).map((j) => j.recipients.length),
        [100, 100, 50],
      );
      const long = short.map((r, i) => ({ ...r, chat: chat(i, 600) }));
      const jobs = jobsOf('b', long);
      assert.ok(jobs.length > 3);
      for (const j of jobs)
        assert.ok(JSON.stringify(j).length <= 40_000, 'a queue message holds it in base64');
      assert.deepEqual(
        jobs.flatMap((j) => j.recipients.map((r) => r.id)),
        long.map((r) => r.id),
      );
      assert.deepEqual(jobsOf('b', []), []);
    });

    it('groups later looks by their delay in whole seconds, rounded up, each group in row-key order', () => {
      const later = laterJobs('b', [
        { recipient: { id: 'c' }, delayMs: 1_500 },
        { recipient: { id: 'a' }, delayMs: 2_000 },
        { recipient: { id: 'b' }, delayMs: 0 },
        { recipient: { id: 'd' }, delayMs: 1_001 },
      ]);
      assert.deepEqual(
        later.map((l) => [l.delaySeconds, l.job.recipients.map((r) => r.id)]),
        [
          [0, ['b']],
          [2, ['a', 'c', 'd']],
        ],
      );
    });

    it('a try that never reached the connector counts as an attempt; a row left mid-call stays sending or ends uncertain', () => {
      const now = new Date('2026-11-23T09:00:00Z');
      const queued = queuedDelivery('b', { aadObjectId: 'u1' }, now);
      const retry = afterNotSent(queued, { class: 'retry', code: 'compose-failed' }, 3, now, () => 0.5);
      assert.deepEqual([retry?.kind, retry?.record.state, retry?.record.attempts], ['retry', 'queued', 1]);
      const midCall = { ...markSending(queued, now), attempts: 2 };
      const last = afterNotSent(midCall, { class: 'retry' }, 3, now, () => 0.5);
      assert.deepEqual(
        [last?.kind, last?.record.state, last?.record.sendingSince],
        ['failed', 'uncertain', undefined],
      );
      const again = afterNotSent({ ...midCall, attempts: 1 }, { class: 'retry' }, 3, now, () => 0.5);
      assert.deepEqual([again?.kind, again?.record.state], ['retry', 'sending']);
      assert.equal(
        afterNotSent({ ...queued, state: 'sent' }, { class: 'retry' }, 3, now, () => 0.5),
        undefined,
      );
    });
  });
});
