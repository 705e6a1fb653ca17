import type { Deps } from '../../deps';

/** How long an admin decision is remembered; a removal from the admin group applies within this time. */
export const ADMIN_CACHE_TTL_MS = 5 * 60_000;

const cache = new Map<string, { at: number; admin: boolean }>();

/**
 * Whether the user may run the campaign: named in ADMIN_UPNS, or a member (nested groups included)
 * of ADMIN_GROUP_ID. Decided from the sender's Entra object id with the UPN looked up in the
 * directory, never from anything a card or a client says. Fails closed: a directory error means "no".
 */
export async function isAdmin(
  deps: Pick<Deps, 'config' | 'directory' | 'clock' | 'logger'>,
  user: { aadObjectId: string; userPrincipalName?: string },
): Promise<boolean> {
  const admins = deps.config.admins;
  if (!admins || (!admins.groupId && admins.upns.length === 0)) return false;
  const id = user.aadObjectId.toLowerCase();
  if (!id) return false;
  const now = deps.clock.now().getTime();
  const key = `${admins.groupId ?? ''}|${admins.upns.join(',')}|${id}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < ADMIN_CACHE_TTL_MS) return hit.admin;

  let admin = false;
  try {
    if (admins.upns.length > 0) {
      // The UPN comes from the directory by object id: the activity's own claims are not trusted.
      const found = await deps.directory.findUser(id);
      const upn = found?.userPrincipalName?.toLowerCase();
      admin = upn !== undefined && admins.upns.includes(upn);
    }
    if (!admin && admins.groupId) admin = await deps.directory.isMemberOfGroup(id, admins.groupId);
  } catch (err) {
    deps.logger.warn({ err, user: id }, 'could not decide whether the user is an admin; refusing');
    return false;
  }
  cache.set(key, { at: now, admin });
  return admin;
}

/** Forgets cached decisions (tests, and after the admin list changes). */
export function clearAdminCache(): void {
  cache.clear();
}
