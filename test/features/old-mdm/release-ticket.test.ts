import assert from 'node:assert/strict';
import { escalationKey } from '../../../src/domain/escalation';
import { participantKey } from '../../../src/domain/participant';
import { escalationViewFor } from '../../../src/features/helpdesk/helpdesk-service';
import { applyEvent } from '../../../src/features/journey/journey-service';
import { findReleaseTarget, requestRelease } from '../../../src/features/old-mdm/release-service';
import { settleBackground } from '../../../src/shared/background';
import { ALEX, textOf } from '../../helpers/activities';
import { HELPDESK_CHANNEL, MEGAN } from '../../helpers/demo';
import {
  IPHONE_KEY,
  journeyOf,
  MEGAN_CHAT,
  openTicket,
  type ReleaseWorld,
  releaseWorld,
} from './release-world';

async function release(w: ReleaseWorld) {
  const found = await findReleaseTarget(w.deps, MEGAN.aadObjectId, IPHONE_KEY);
  assert.ok(found.ok, JSON.stringify(found));
  return requestRelease(w.deps, found.target, { aadObjectId: ALEX.aadObjectId, name: ALEX.name });
}

const toChannel = (w: ReleaseWorld) =>
  w.t.messenger.sent.filter((s) => s.to.conversationId.startsWith(HELPDESK_CHANNEL));

describe("old-MDM release: the ticket's card and thread", () => {
  let w: ReleaseWorld | undefined;
  afterEach(async () => {
    await settleBackground();
    await w?.sim.stop();
    w = undefined;
  });

  it('a confirmed release updates the ticket card in place and adds one line to its thread', async () => {
    w = await releaseWorld({ helpdesk: true });
    const ticket = await openTicket(w.deps);
    assert.equal((await release(w)).kind, 'confirmed');

    const lines = toChannel(w);
    assert.equal(lines.length, 1, 'one thread line');
    assert.equal(lines[0]!.to.conversationId, `${HELPDESK_CHANNEL};messageid=card-1`, 'in the card’s thread');
    assert.match(
      lines[0]!.message.summary ?? '',
      /Workspace ONE confirmed: Megan's iPhone is no longer managed by it\. Megan Bowen's journey moved on and Megan Bowen was told/,
    );
    const updates = w.t.messenger.updated.filter((u) => u.activityId === ticket.cardActivityId);
    assert.equal(updates.length, 1, 'the card itself is updated, not posted again');
    assert.equal(updates[0]!.to.conversationId, HELPDESK_CHANNEL);
    const card = textOf(updates[0]!.message.card as Record<string, unknown>);
    assert.doesNotMatch(card, /Remove from Workspace ONE/, 'nothing left to release on the card');
    assert.ok(w.t.messenger.sent.some((s) => s.to.conversationId === MEGAN_CHAT.conversationId));
  });

  it('a device whose journey left IT meanwhile: the journey and its user are left alone, the ticket says so', async () => {
    w = await releaseWorld({ helpdesk: true });
    await openTicket(w.deps);
    // IT marked it done by hand before the old MDM confirmed the command.
    const now = w.t.clock.now();
    await w.deps.store.participants.update(participantKey(MEGAN.aadObjectId), (cur) =>
      cur ? applyEvent(cur, IPHONE_KEY, { kind: 'it-resolved' }, now).participant : undefined,
    );
    const before = await journeyOf(w.deps, IPHONE_KEY);
    assert.notEqual(before?.stage, 'needs-it');
    // The stored view still says "needs IT" at the moment of the press; the journey moves right after.
    const found = await findReleaseTarget(w.deps, MEGAN.aadObjectId, IPHONE_KEY);
    assert.ok(found.ok);
    const answer = await requestRelease(w.deps, found.target, { aadObjectId: ALEX.aadObjectId });
    assert.equal(answer.kind, 'confirmed');

    assert.deepEqual(await journeyOf(w.deps, IPHONE_KEY), before, 'the journey is not moved again');
    assert.equal(
      w.t.messenger.sent.filter((s) => s.to.conversationId === MEGAN_CHAT.conversationId).length,
      0,
      'the user is not told again',
    );
    const lines = toChannel(w);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!.message.summary ?? '', /had already moved past IT, so it was left as it is/);
  });

  it('offers "Remove from Workspace ONE" on the ticket only while release is on for its source', async () => {
    const on = await releaseWorld({ helpdesk: true });
    w = on;
    const ticket = await openTicket(on.deps);
    assert.equal((await escalationViewFor(on.deps, ticket)).canRelease, true);
    await on.sim.stop();

    const off = await releaseWorld({ helpdesk: true, release: false });
    w = off;
    const same = await openTicket(off.deps);
    const view = await escalationViewFor(off.deps, same);
    assert.equal(view.canRelease, false);
    const stored = (await off.deps.store.escalations.get(escalationKey(MEGAN.aadObjectId)))?.value;
    assert.equal(stored?.state, 'open', 'the ticket itself is unchanged');
  });
});
