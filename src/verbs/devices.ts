/** Action.Execute verbs of the device list; shared by the templates' view models and the routes. */
export const DEVICE_VERBS = { check: 'devices.check' } as const;
