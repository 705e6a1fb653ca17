/**
 * The Workspace ONE UEM simulator: a local stand-in for the vendor's token service, device search,
 * device look-up and Enterprise Wipe, over real HTTP. Development and tests only; never imported by
 * production code.
 */
export {
  DEFAULT_CLIENT,
  DEFAULT_TENANT_CODE,
  DEVICES_EXECUTE,
  DEVICES_READ,
  type Ws1SimClient,
} from './auth';
export type { Ws1SimControls } from './control';
export { ALEX_IPAD, type DemoDevicesOptions, demoDevices } from './demo';
export type { Ws1DeviceRef } from './inventory';
export type { Ws1DeviceSeed, Ws1EnrollmentStatus, Ws1WireDevice } from './model';
export {
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
  type WorkspaceOneSimulatorOptions,
} from './server';
