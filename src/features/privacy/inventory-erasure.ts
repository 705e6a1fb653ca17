/**
 * Keeps erased people out of the old-MDM inventory. The matching pass reads the people before it
 * writes: a person erased in between would be attached again. The pass therefore checks the
 * tombstone after its own writes and, if it finds one, takes them back; the erasure tombstones before
 * it reads the person's index. Whichever runs second sees the other's write, so nothing is left.
 */
import { participantKey } from '../../domain/participant';
import { inventoryWithoutPerson } from '../../domain/retention';
import type { EntityKey, Store } from '../../ports/store';
import { forgetPersonChanged } from '../old-mdm/person-changes';

export async function detachIfErased(
  store: Pick<Store, 'participants' | 'oldMdmByPerson' | 'oldMdmDevices' | 'jobState'>,
  row: EntityKey,
  owner: string,
): Promise<boolean> {
  const person = (await store.participants.get(participantKey(owner)))?.value;
  if (!person?.erasedAt) return false;
  await store.oldMdmByPerson.delete({ partitionKey: owner, rowKey: row.rowKey });
  await store.oldMdmDevices.update(row, (cur) => (cur ? inventoryWithoutPerson(cur, true) : undefined));
  await forgetPersonChanged(store, owner);
  return true;
}
