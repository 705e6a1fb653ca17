/**
 * What an admin configures for the Workspace ONE UEM connector, and the names the admin sees when
 * one of them is wrong (a SourceMdmError's `missing`).
 */

/** The environment settings, named in errors so the admin knows what to fix. */
export const WS1_SETTING_NAMES = {
  apiUrl: 'WORKSPACE_ONE_API_URL',
  tokenUrl: 'WORKSPACE_ONE_TOKEN_URL',
  clientId: 'WORKSPACE_ONE_CLIENT_ID',
  clientSecret: 'WORKSPACE_ONE_CLIENT_SECRET',
  tenantCode: 'WORKSPACE_ONE_TENANT_CODE',
} as const;

/**
 * The one admin-role permission the read-only connector needs: "REST API Devices Read — enables
 * access to all READ only APIs in Devices collection" (Check Point's Workspace ONE integration
 * guide, Appendix B, https://sc1.checkpoint.com/documents/Infinity_Portal/WebAdminGuides/EN/Harmony-Mobile-Integration-Guide/Topics-Integration-Guide/Workspace-ONE/AppendixB-API_Permissions.htm;
 * Omnissa's own docs only say the OAuth client "must be assigned an admin role", docs/vendor-apis.md §1.2).
 */
export const WS1_READ_PERMISSION =
  'the admin role permission "REST API Devices Read" (REST API › Devices › Read) on the OAuth client\'s role';

/**
 * What releasing a device needs on top of reading. The console permission to Enterprise Wipe a
 * device is what Workspace ONE's role documentation names ("the role must not only have the
 * permissions to enterprise wipe a device…", VMware docs GUID-RoleBasedAccess); the REST API
 * permission follows the API collections' Read/Write/Execute naming (Check Point's guide, as above:
 * "REST API Devices Read", "REST API Devices Write", "REST API User Groups Execute"), because the
 * command is an execute call on the Devices collection (docs/vendor-apis.md §1.5).
 */
export const WS1_RELEASE_PERMISSION =
  'the admin role permissions "REST API Devices Execute" (REST API › Devices) and Enterprise Wipe (Device Management › Device Actions) on the OAuth client\'s role';

/** Workspace ONE's regional token services (docs/vendor-apis.md §1.2, W1). */
export const WS1_TOKEN_URLS = {
  uat: 'https://uat.uemauth.workspaceone.com/connect/token',
  na: 'https://na.uemauth.workspaceone.com/connect/token',
  // W1 says `emea.`; the Omnissa Go SDK docs say `eu.` (W5): W1 is the product documentation, and
  // the URL is a setting, so either can be configured.
  emea: 'https://emea.uemauth.workspaceone.com/connect/token',
  apac: 'https://apac.uemauth.workspaceone.com/connect/token',
} as const;

export type Ws1Region = keyof typeof WS1_TOKEN_URLS;

export interface WorkspaceOneSettings {
  /** The REST API host, e.g. https://as1234.awmdm.com (console cnNNNN → API asNNNN); a trailing /API is accepted. */
  apiUrl: string;
  /** The region's token URL (WS1_TOKEN_URLS) or the simulator's. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The REST API key, sent as `aw-tenant-code`. */
  tenantCode: string;
  /** Only devices of this organization group and below (`lgid`); default: the OAuth client's own group. */
  organizationGroupId?: number;
}
