/**
 * The retention purge as the scheduler runs it (Azurite, fake clock): once a day, resumed when a
 * round was stopped, its counts logged without anyone's name.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { participantKey } from '../../src/domain/participant';
import { nextPurgeAt, readRetentionState } from '../../src/features/privacy/purge';
import { createLogger } from '../../src/logging';
import { RetentionJob } from '../../src/workers/retention';
import { testDeps } from '../helpers/activities';
import { MEGAN } from '../helpers/demo';
import { freshStorage } from '../helpers/storage';

const DAY = 86_400_000;

async function world() {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const storage = await freshStorage();
  const t = testDeps({ store: storage.store, logger });
  t.clock.current = new Date('2026-06-01T09:00:00Z');
  // Megan was last heard of long ago and is in no wave: her retention has run out.
  await storage.store.participants.insert(participantKey(MEGAN.aadObjectId), {
    aadObjectId: MEGAN.aadObjectId.toLowerCase(),
    userPrincipalName: MEGAN.upn,
    displayName: MEGAN.name,
    firstSeenAt: '2026-01-01T00:00:00Z',
    lastSeenAt: '2026-01-01T00:00:00Z',
    version: 1,
  });
  return { ...t, lines, job: new RetentionJob(t.deps) };
}

describe('workers: retention job (Azurite)', () => {
  it('purges once a day, logs counts only, and says when the next round starts', async function () {
    this.timeout(60_000);
    const w = await world();
    await w.job.run(new AbortController().signal);
    assert.equal(await w.store.participants.get(participantKey(MEGAN.aadObjectId)), undefined);
    const done = w.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = done.find((l) => l.msg === 'retention purge done');
    assert.ok(line, w.lines.join(''));
    assert.equal(line.participants, 1);
    assert.equal(line.job, 'retention');
    const out = w.lines.join('');
    for (const s of [MEGAN.name, MEGAN.upn]) assert.ok(!out.includes(s), s);

    const state = await readRetentionState(w.deps);
    assert.equal(nextPurgeAt(state, w.clock.now())?.getTime(), w.clock.now().getTime() + DAY);
    w.clock.current = new Date(w.clock.now().getTime() + DAY / 2);
    await w.job.run(new AbortController().signal);
    assert.equal(w.lines.length, 1, 'not again within the day');
    w.clock.current = new Date(w.clock.now().getTime() + DAY / 2);
    await w.job.run(new AbortController().signal);
    assert.equal(w.lines.length, 2, 'again a day later');
  });

  it('a round stopped by its lease ending is resumed by the next run, not started over', async function () {
    this.timeout(60_000);
    const w = await world();
    const stopped = new AbortController();
    stopped.abort();
    await w.job.run(stopped.signal);
    const paused = await readRetentionState(w.deps);
    assert.equal(paused.phase, 'participants', 'the cursor says where to resume');
    assert.equal(nextPurgeAt(paused, w.clock.now()), undefined, 'the admin home says a purge is running');
    assert.ok(w.lines.some((l) => l.includes('retention purge paused')));
    await w.job.run(new AbortController().signal);
    const finished = await readRetentionState(w.deps);
    assert.equal(finished.phase, undefined);
    assert.equal(finished.roundStartedAt, paused.roundStartedAt, 'the same round finished');
    assert.equal(await w.store.participants.get(participantKey(MEGAN.aadObjectId)), undefined);
  });
});
