/**
 * The old MDM's side of conditional access, as far as Entra shows it: devices whose Entra record
 * names a partner MDM (`mdmAppId` other than Intune's, which then sets `isCompliant` itself), and the
 * members an Intune compliant-device policy covers whose devices can only pass it through that
 * partner's compliance (no device compliant in Intune): both MDMs then decide their access, which the
 * guidance warns against.
 */
import type { Deps } from '../../deps';
import type { WaveCoverage } from '../../domain/conditional-access';
import { participantKey } from '../../domain/participant';
import { mapBounded } from '../../shared/bounded';

const READS_IN_FLIGHT = 16;

export interface PartnerFacts {
  /** Devices of the members that Entra says a partner MDM manages. */
  partnerDevices: number;
  /** Member ids covered by a relevant Intune policy with partner-managed devices and none compliant in Intune. */
  overlap: string[];
}

export async function partnerFacts(
  deps: Pick<Deps, 'store'>,
  memberIds: readonly string[],
  coverage?: WaveCoverage,
): Promise<PartnerFacts> {
  const covered = new Set(coverage ? memberIds.filter((id) => !coverage.uncovered.includes(id)) : []);
  const rows = await mapBounded(memberIds, READS_IN_FLIGHT, async (id) => {
    const p = (await deps.store.participants.get(participantKey(id)))?.value;
    let partner = 0;
    let intuneCompliant = 0;
    for (const j of p?.journeys ?? []) {
      const seen = j.lastSeen;
      if (!seen) continue;
      if (seen.management.kind === 'partner') partner++;
      else if (seen.management.kind === 'intune' && seen.complianceState === 'compliant') {
        intuneCompliant++;
      }
    }
    return { id, partner, overlap: covered.has(id) && partner > 0 && intuneCompliant === 0 };
  });
  return {
    partnerDevices: rows.reduce((n, r) => n + r.partner, 0),
    overlap: rows.filter((r) => r.overlap).map((r) => r.id),
  };
}
