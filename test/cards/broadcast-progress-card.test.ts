import assert from 'node:assert/strict';
import {
  broadcastProgressMessage,
  renderBroadcastProgressCard,
} from '../../src/cards/broadcast-progress-card';
import type { Broadcast } from '../../src/domain/broadcast';
import { LANGUAGES, translator } from '../../src/i18n';
import { ADMIN_VERBS } from '../../src/verbs/admin';
import { textOf } from '../helpers/activities';

const BROADCAST: Broadcast = {
  id: 'b-1',
  kind: 'announcement',
  waveId: 'wave-1',
  state: 'sending',
  createdAt: '2026-11-23T09:00:00.000Z',
  createdBy: { aadObjectId: 'admin-1' },
  recipientCount: 10_000,
  queuedCount: 10_000,
  alsoPostToChannelId: '19:news@thread.tacv2',
};
const COUNTS = { queued: 3_744, sending: 46, sent: 6_180, failed: 28, uncertain: 2 };

function actionsOf(card: Record<string, unknown>) {
  return (card.actions as { verb: string; data: unknown; title: string }[] | undefined) ?? [];
}

describe('cards: broadcast progress', () => {
  it('shows counts, a progress line, failures by reason, and Refresh / Cancel while sending', () => {
    const card = renderBroadcastProgressCard({
      t: translator('en'),
      locale: 'en-US',
      broadcast: BROADCAST,
      counts: COUNTS,
      failures: { 'app-install-blocked': 25, rejected: 3 },
      waveName: 'Wave 1',
    });
    const text = textOf(card);
    assert.match(text, /Announcement: Wave 1/);
    assert.match(text, /Sending: 6,210 of 10,000 done\./);
    assert.match(text, /▰{12}▱{8}/);
    assert.match(text, /62 % done/);
    assert.match(text, /Delivered\n6,180/);
    assert.match(text, /App blocked by the user or a Teams policy: 25\nTeams refused the message: 3/);
    assert.match(text, /may have received the message twice/);
    assert.match(text, /announcements channel/);
    assert.deepEqual(
      actionsOf(card).map((a) => [a.verb, a.data]),
      [
        [ADMIN_VERBS.broadcastProgress, { broadcastId: 'b-1' }],
        [ADMIN_VERBS.cancelBroadcast, { broadcastId: 'b-1' }],
      ],
    );
  });

  it('says what state the broadcast is in, with no buttons once it is over', () => {
    const t = translator('en');
    const render = (b: Partial<Broadcast>) =>
      renderBroadcastProgressCard({
        t,
        locale: 'en-GB',
        timeZone: 'Europe/Stockholm',
        broadcast: { ...BROADCAST, ...b },
        counts: { queued: 0, sending: 0, sent: 9_990, failed: 10, uncertain: 0 },
      });
    const done = render({ state: 'done', finishedAt: '2026-11-23T12:04:00.000Z' });
    assert.match(textOf(done), /Done 23 Nov 2026, 13:04: 9,990 delivered\./);
    assert.deepEqual(actionsOf(done), []);
    assert.match(
      textOf(render({ state: 'scheduled', scheduledAt: '2026-12-01T08:00:00.000Z' })),
      /Scheduled for 1 Dec 2026, 09:00/,
    );
    assert.equal(
      actionsOf(render({ state: 'scheduled', scheduledAt: '2026-12-01T08:00:00.000Z' })).length,
      2,
    );
    const queueing = renderBroadcastProgressCard({
      t,
      locale: 'en-GB',
      broadcast: { ...BROADCAST, state: 'queueing', queuedCount: 4_200 },
      counts: { queued: 3_000, sending: 0, sent: 0, failed: 0, uncertain: 0 },
    });
    assert.match(textOf(queueing), /Preparing: 4,200 of 10,000 recipients queued\./);
    const cancelled = render({ state: 'cancelled', cancelledAt: '2026-11-23T10:00:00.000Z' });
    assert.match(textOf(cancelled), /Cancelled 23 Nov 2026, 11:00: nothing more is sent\./);
    assert.deepEqual(actionsOf(cancelled), []);
    assert.doesNotMatch(textOf(done), /may have received the message twice/);
  });

  it('renders in every language with a notification summary', () => {
    for (const language of LANGUAGES) {
      const m = broadcastProgressMessage({
        t: translator(language),
        locale: language === 'sv' ? 'sv-SE' : 'en-US',
        broadcast: BROADCAST,
        counts: COUNTS,
        now: new Date('2026-11-23T10:14:00Z'),
      });
      assert.doesNotMatch(textOf(m.card), /broadcast\.\w/, `${language}: no raw keys`);
      assert.match(m.summary, /wave-1/);
    }
    assert.match(
      broadcastProgressMessage({ t: translator('sv'), locale: 'sv-SE', broadcast: BROADCAST, counts: COUNTS })
        .summary,
      /6\u00a0210 av 10\u00a0000 klara/,
    );
  });
});
