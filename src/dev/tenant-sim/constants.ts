/** Facts of Microsoft Graph (and of the simulated tenant) that several simulator files share. */

/** Intune's application id, as Entra writes it into a device's mdmAppId. */
export const INTUNE_MDM_APP_ID = '0000000a-0000-0000-c000-000000000000';

/**
 * The partner MDM id the demo's Workspace ONE devices carry. Arbitrary but fixed, so tests,
 * fixtures and the product's "which MDM is this" mapping can name it.
 */
export const WORKSPACE_ONE_MDM_APP_ID = '5b7e2c1a-0d4f-4a8e-9c3b-77e1f0a0b1e0';

/** Tenant id of the demo (deliberately the same non-GUID the Agents Playground uses). */
export const DEMO_TENANT_ID = '00000000-0000-0000-0000-0000000000001';

/** Names shown for the MDM app ids the simulator knows; anything else is "partner MDM". */
export const MDM_NAMES: Readonly<Record<string, string>> = {
  [INTUNE_MDM_APP_ID]: 'Intune',
  [WORKSPACE_ONE_MDM_APP_ID]: 'Workspace ONE',
};

export function mdmName(mdmAppId: string | null): string | null {
  if (!mdmAppId) return null;
  return MDM_NAMES[mdmAppId.toLowerCase()] ?? 'partner MDM';
}
