/**
 * GET /_sim/old-mdm: the old-MDM simulator's view of every user's devices, fetched server-side so
 * the control page can show it next to Graph's without a cross-origin call. A simulator that is not
 * running is reported as such, never as an error of this one.
 */
import {
  OLD_MDM_NAMES,
  OldMdmSimClient,
  type OldMdmSimDevice,
  OldMdmSimError,
  type OldMdmSimTarget,
} from '../old-mdm-sim-client';

export type OldMdmView =
  | { configured: false }
  | { configured: true; name: string; url: string; running: false; error?: string }
  | { configured: true; name: string; url: string; running: true; devices: OldMdmSimDevice[] };

export async function oldMdmView(target: OldMdmSimTarget | undefined): Promise<OldMdmView> {
  if (!target) return { configured: false };
  const base = { configured: true as const, name: OLD_MDM_NAMES[target.kind], url: target.url };
  try {
    const devices = await new OldMdmSimClient(target).devices();
    return devices ? { ...base, running: true, devices } : { ...base, running: false };
  } catch (err) {
    if (err instanceof OldMdmSimError) return { ...base, running: false, error: err.message };
    throw err;
  }
}
