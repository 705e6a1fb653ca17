/**
 * The Jamf Pro simulator: a local stand-in for the Jamf Pro API over real HTTP (OAuth API client
 * tokens, v4 computer inventory, v2 mobile devices, RSQL filters, faults). Development and tests
 * only; never imported by production code.
 */
export {
  DEFAULT_CLIENT,
  type JamfApiClient,
  READ_COMPUTERS,
  READ_MOBILE_DEVICES,
  SEND_COMPUTER_UNMANAGE,
  UNMANAGE_MOBILE_DEVICES,
} from './auth';
export type { JamfSimControls, MalformedMode, MalformedSpec } from './controls';
export { ALEX_MAC, demoDevices, type JamfDemoDevices, type JamfDemoOptions } from './demo';
export { TOKEN_PATHS } from './jamf-api';
export type {
  DeviceOwnershipType,
  JamfComputer,
  JamfComputerSeed,
  JamfMobileDevice,
  JamfMobileDeviceSeed,
  MobileDeviceType,
} from './model';
export { type JamfSimulator, type JamfSimulatorOptions, startJamfSimulator } from './server';
export { type DeviceKind, type DeviceRef, type DeviceSelector, MAX_PAGE_SIZE } from './store';
