import assert from 'node:assert/strict';
import { type Participant, participantKey } from '../../../src/domain/participant';
import { INDEX_TTL_MS, ParticipantIndex } from '../../../src/features/message-extension/participant-index';
import { eventually } from '../../helpers/eventually';
import { FakeClock } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

function person(n: number, displayName: string, upn: string): Participant {
  return {
    aadObjectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    displayName,
    userPrincipalName: upn,
    firstSeenAt: '2026-11-20T08:00:00.000Z',
    lastSeenAt: '2026-11-20T08:00:00.000Z',
    version: 1,
  };
}

describe('message extension: participant index (Azurite)', () => {
  it('finds participants across every partition by name or UPN, best match first', async () => {
    const { store } = await freshStorage();
    const people = [
      person(1, 'Alex Wilber', 'alexw@contoso.com'),
      person(2, 'Alexandra Svensson', 'alexandra.svensson@contoso.com'),
      person(3, 'Megan Bowen', 'meganb@contoso.com'),
      person(4, 'Björn Ålund', 'bjorn.alund@contoso.com'),
      ...Array.from({ length: 60 }, (_, i) => person(100 + i, `Person ${i}`, `person${i}@contoso.com`)),
    ];
    await Promise.all(people.map((p) => store.participants.insert(participantKey(p.aadObjectId), p)));
    assert.ok(
      new Set(people.map((p) => participantKey(p.aadObjectId).partitionKey)).size > 20,
      'spread over partitions',
    );
    const index = new ParticipantIndex(store, new FakeClock());
    const id = (n: number) =>
      people.find((p) => p.aadObjectId.endsWith(String(n).padStart(12, '0')))!.aadObjectId;

    assert.deepEqual(await index.search('alex', 10), [id(1), id(2)]);
    assert.deepEqual(await index.search('alexandra.svensson@contoso.com', 10), [id(2)]);
    assert.deepEqual(await index.search('svensson alex', 10), [id(2)]);
    assert.deepEqual(await index.search('bjorn alu', 10), [id(4)]);
    assert.deepEqual(await index.search('Ålund', 10), [id(4)]);
    assert.equal((await index.search('person', 5)).length, 5);
    assert.deepEqual(await index.search('x', 10), [], 'one letter is no query');
    assert.deepEqual(await index.search('nobody', 10), []);
  });

  it('answers from the last scan until it is stale, then picks up new participants', async () => {
    const { store } = await freshStorage();
    const clock = new FakeClock();
    await store.participants.insert(
      participantKey(person(1, 'Alex Wilber', 'a@x.com').aadObjectId),
      person(1, 'Alex Wilber', 'a@x.com'),
    );
    const index = new ParticipantIndex(store, clock);
    assert.equal((await index.search('alex', 10)).length, 1);

    const newcomer = person(2, 'Alex Newcomer', 'new@x.com');
    await store.participants.insert(participantKey(newcomer.aadObjectId), newcomer);
    assert.equal((await index.search('alex', 10)).length, 1, 'cached within the TTL');

    clock.advance(INDEX_TTL_MS + 1);
    // A stale index answers at once and refreshes behind the answer.
    assert.equal((await index.search('alex', 10)).length, 1);
    await eventually(async () => assert.equal((await index.search('alex', 10)).length, 2));
  });
});
