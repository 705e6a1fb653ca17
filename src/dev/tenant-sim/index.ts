/**
 * The tenant simulator: a local stand-in for Microsoft Graph, over real HTTP. Development and tests
 * only; never imported by production code. See docs/tenant-simulator.md.
 */
export { DEMO_TENANT_ID, INTUNE_MDM_APP_ID, WORKSPACE_ONE_MDM_APP_ID } from './constants';
export { ActionError, type ActionOptions, FAILURE_REASONS, type FieldChange } from './device-actions';
export type { DeviceState, DeviceStatus } from './device-state';
export { type FaultInfo, FaultInjector, type FaultSpec, type FaultStatus } from './faults';
export { GENERATED_ALL_USERS_GROUP_ID, type GenerateOptions, generateTenant } from './generate';
export {
  COMPLIANCE_STATES,
  type ComplianceState,
  DEVICE_ACTIONS,
  type DeviceAction,
  type EntraDevice,
  FAILURE_CATEGORIES,
  type FailureCategory,
  type InstalledApp,
  type ManagedDevice,
  type SimDevice,
  type SimGroup,
  type SimUser,
  type TroubleshootingEvent,
} from './model';
export { exportJobSettings } from './routes-reports';
export { type DeviceSeed, type GroupSeed, SeedError, type TenantSeed, type UserSeed } from './seed';
export { startTenantSimulator, type TenantSimulator, type TenantSimulatorOptions } from './server';
export type { TenantState, UserState } from './state';
export { RequestStats, type RequestStatsSnapshot } from './stats';
export { type ActionResult, Tenant } from './tenant';
