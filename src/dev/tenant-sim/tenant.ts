/**
 * The simulated tenant: users, groups, physical devices (Entra record + optional Intune record),
 * enrollment troubleshooting events and Teams app installations. Every look-up a request makes goes
 * through a map (by id, by UPN, by user), so a 10,000-user tenant answers without scanning.
 */
import { randomUUID } from 'node:crypto';
import { ActionError, type ActionOptions, type FieldChange, performAction } from './device-actions';
import { deviceState } from './device-state';
import {
  type DeviceAction,
  FAILURE_CATEGORIES,
  type InstalledApp,
  type ManagedDevice,
  type SimDevice,
  type SimGroup,
  type SimUser,
  type TroubleshootingEvent,
} from './model';
import {
  type ParsedDeviceSeed,
  type ParsedEventSeed,
  type ParsedGroupSeed,
  type ParsedSeed,
  type ParsedUserSeed,
  parseSeed,
  resolveTime,
  SeedError,
  type TenantSeed,
} from './seed';
import { deviceFromSeed, groupShellFromSeed, userFromSeed } from './seed-records';

export interface ActionResult {
  action: DeviceAction;
  user: { id: string; userPrincipalName: string; displayName: string };
  device: {
    deviceId: string;
    objectId: string;
    name: string;
    operatingSystem: string;
    managedDeviceId: string | null;
    /** Where the device stands after the action, e.g. "dual: Workspace ONE + Intune (unknown)". */
    summary: string;
  };
  changes: FieldChange[];
  event?: TroubleshootingEvent;
}

export type DirectoryMember = { kind: 'user'; user: SimUser } | { kind: 'group'; group: SimGroup };

export type InstallResult =
  | { outcome: 'installed'; app: InstalledApp }
  | { outcome: 'already-installed'; app: InstalledApp }
  | { outcome: 'blocked' };

const key = (s: string): string => s.toLowerCase();

export class Tenant {
  tenantId: string;
  /** The tenant clock; replace it in tests to control every timestamp the simulator writes. */
  now: () => Date = () => new Date();
  /** Id generator for records the simulator creates (managed devices, events, installations). */
  newId: () => string = () => randomUUID();

  private readonly usersById = new Map<string, SimUser>();
  private readonly usersByUpn = new Map<string, SimUser>();
  private readonly groupsById = new Map<string, SimGroup>();
  private readonly devicesByDeviceId = new Map<string, SimDevice>();
  private readonly devicesByObjectId = new Map<string, SimDevice>();
  /** Insertion order is Intune's listing order (enrollment order). */
  private readonly devicesByManagedId = new Map<string, SimDevice>();
  private readonly devicesByUserId = new Map<string, SimDevice[]>();
  private readonly events: TroubleshootingEvent[] = [];
  private readonly eventsByUserId = new Map<string, TroubleshootingEvent[]>();
  private readonly appsByUserId = new Map<string, Map<string, InstalledApp>>();
  /** Last change sequence number handed out; devices/delta tokens remember one (see SimDevice.changeSeq). */
  private changeCounter = 0;
  private changeGeneration = randomUUID();

  constructor(private readonly defaultTenantId = 'simulated-tenant') {
    this.tenantId = defaultTenantId;
  }

  // ---- loading -------------------------------------------------------------------------------

  /** Replaces everything with the given seed (validated; throws SeedError naming the bad field). */
  load(seed: TenantSeed | ParsedSeed): void {
    this.clear();
    this.tenantId = this.defaultTenantId;
    this.seedBulk(seed);
  }

  /** Adds a seed to what is there, in O(n): users, then groups, devices and events that refer to them. */
  seedBulk(seed: TenantSeed | ParsedSeed): void {
    const parsed = parseSeed(seed);
    if (parsed.tenantId) this.tenantId = parsed.tenantId;
    const now = this.now();
    for (const u of parsed.users) this.addUser(u);
    for (const g of parsed.groups) this.addGroupShell(g);
    for (const g of parsed.groups) this.resolveMembers(g);
    for (const d of parsed.devices) this.addDevice(d, now);
    for (const e of parsed.troubleshootingEvents) this.addEvent(e, now);
    for (const u of parsed.users) {
      for (const appId of u.installedApps ?? []) this.installApp(u.id, appId);
    }
  }

  clear(): void {
    for (const m of [
      this.usersById,
      this.usersByUpn,
      this.groupsById,
      this.devicesByDeviceId,
      this.devicesByObjectId,
      this.devicesByManagedId,
      this.devicesByUserId,
      this.eventsByUserId,
      this.appsByUserId,
    ]) {
      m.clear();
    }
    this.events.length = 0;
    // Delta tokens handed out before a reset describe a tenant that no longer exists: they expire.
    this.changeCounter = 0;
    this.changeGeneration = randomUUID();
  }

  /** The newest change sequence number; a devices/delta round remembers it in its deltaLink. */
  get changeSequence(): number {
    return this.changeCounter;
  }

  /** Changes on every reset, so that delta tokens from before it answer syncStateNotFound. */
  get generation(): string {
    return this.changeGeneration;
  }

  private nextChange(): number {
    this.changeCounter += 1;
    return this.changeCounter;
  }

  private addUser(u: ParsedUserSeed): SimUser {
    if (this.usersById.has(u.id)) throw new SeedError(`Duplicate user id ${u.id}`);
    if (this.usersByUpn.has(key(u.userPrincipalName)))
      throw new SeedError(`Duplicate UPN ${u.userPrincipalName}`);
    const user = userFromSeed(u);
    this.usersById.set(user.id, user);
    this.usersByUpn.set(key(user.userPrincipalName), user);
    return user;
  }

  private addGroupShell(g: ParsedGroupSeed): void {
    if (this.groupsById.has(g.id)) throw new SeedError(`Duplicate group id ${g.id}`);
    this.groupsById.set(g.id, groupShellFromSeed(g));
  }

  private resolveMembers(g: ParsedGroupSeed): void {
    const group = this.groupsById.get(g.id)!;
    for (const ref of g.members) {
      const member = this.user(ref)?.id ?? (this.groupsById.has(ref) ? ref : undefined);
      if (!member)
        throw new SeedError(`Group ${g.displayName}: member "${ref}" is neither a user nor a group`);
      if (!group.memberIds.includes(member)) group.memberIds.push(member);
    }
  }

  private addDevice(d: ParsedDeviceSeed, now: Date): SimDevice {
    const user = this.user(d.user);
    if (!user) throw new SeedError(`Device ${d.displayName}: user "${d.user}" does not exist`);
    const deviceId = d.deviceId ?? this.newId();
    if (this.devicesByDeviceId.has(key(deviceId))) throw new SeedError(`Duplicate deviceId ${deviceId}`);
    const device = deviceFromSeed(d, user, deviceId, {
      now,
      newId: this.newId,
      changeSeq: this.nextChange(),
    });
    this.indexDevice(device);
    return device;
  }

  private indexDevice(device: SimDevice): void {
    if (this.devicesByObjectId.has(key(device.entra.id)))
      throw new SeedError(`Duplicate device id ${device.entra.id}`);
    this.devicesByDeviceId.set(key(device.entra.deviceId), device);
    this.devicesByObjectId.set(key(device.entra.id), device);
    if (device.intune) this.devicesByManagedId.set(key(device.intune.id), device);
    const list = this.devicesByUserId.get(device.userId);
    if (list) list.push(device);
    else this.devicesByUserId.set(device.userId, [device]);
  }

  private addEvent(e: ParsedEventSeed, now: Date): void {
    const user = this.user(e.user);
    if (!user) throw new SeedError(`Troubleshooting event: user "${e.user}" does not exist`);
    const device = e.device ? this.findDevice(e.device, user.id) : this.devicesOf(user.id)[0];
    if (!device)
      throw new SeedError(`Troubleshooting event for ${user.userPrincipalName}: no device to attach it to`);
    const at = e.eventDateTime ? resolveTime(e.eventDateTime, now) : now.toISOString();
    const result = performAction(
      'fail',
      device,
      { now: new Date(at), newId: this.newId, user },
      { failureCategory: e.failureCategory, failureReason: e.failureReason },
    );
    if (e.id && result.event) result.event.id = e.id;
    if (result.event) this.recordEvent(result.event);
  }

  private recordEvent(event: TroubleshootingEvent): void {
    this.events.push(event);
    const list = this.eventsByUserId.get(event.userId);
    if (list) list.push(event);
    else this.eventsByUserId.set(event.userId, [event]);
  }

  // ---- look-ups ------------------------------------------------------------------------------

  /** By object id or user principal name (case-insensitive, as Entra resolves it). */
  user(idOrUpn: string): SimUser | undefined {
    return this.usersById.get(idOrUpn) ?? this.usersByUpn.get(key(idOrUpn));
  }

  users(): IterableIterator<SimUser> {
    return this.usersById.values();
  }

  get userCount(): number {
    return this.usersById.size;
  }

  group(id: string): SimGroup | undefined {
    return this.groupsById.get(id);
  }

  groups(): IterableIterator<SimGroup> {
    return this.groupsById.values();
  }

  /** Members of a group and of every group nested in it, each once, breadth-first (cycles are fine). */
  transitiveMembers(groupId: string): DirectoryMember[] {
    const out: DirectoryMember[] = [];
    const seen = new Set<string>([groupId]);
    const queue = [groupId];
    for (let i = 0; i < queue.length; i++) {
      for (const id of this.groupsById.get(queue[i])?.memberIds ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const user = this.usersById.get(id);
        if (user) {
          out.push({ kind: 'user', user });
          continue;
        }
        const group = this.groupsById.get(id);
        if (group) {
          out.push({ kind: 'group', group });
          queue.push(id);
        }
      }
    }
    return out;
  }

  directMembers(groupId: string): DirectoryMember[] {
    const out: DirectoryMember[] = [];
    for (const id of this.groupsById.get(groupId)?.memberIds ?? []) {
      const user = this.usersById.get(id);
      const group = this.groupsById.get(id);
      if (user) out.push({ kind: 'user', user });
      else if (group) out.push({ kind: 'group', group });
    }
    return out;
  }

  devices(): IterableIterator<SimDevice> {
    return this.devicesByObjectId.values();
  }

  get deviceCount(): number {
    return this.devicesByObjectId.size;
  }

  devicesOf(userId: string): readonly SimDevice[] {
    return this.devicesByUserId.get(userId) ?? [];
  }

  deviceByObjectId(objectId: string): SimDevice | undefined {
    return this.devicesByObjectId.get(key(objectId));
  }

  deviceByDeviceId(deviceId: string): SimDevice | undefined {
    return this.devicesByDeviceId.get(key(deviceId));
  }

  deviceByManagedId(managedDeviceId: string): SimDevice | undefined {
    return this.devicesByManagedId.get(key(managedDeviceId));
  }

  *managedDevices(): Generator<ManagedDevice> {
    for (const d of this.devicesByManagedId.values()) if (d.intune) yield d.intune;
  }

  managedDevicesOf(userId: string): ManagedDevice[] {
    const out: ManagedDevice[] = [];
    for (const d of this.devicesOf(userId)) if (d.intune) out.push(d.intune);
    return out;
  }

  /**
   * A device by Entra deviceId, Entra object id, Intune id, or display name (exact, then
   * case-insensitive, then a unique substring), optionally among one user's devices only.
   */
  findDevice(ref: string, userId?: string): SimDevice | undefined {
    const byId = this.deviceByDeviceId(ref) ?? this.deviceByObjectId(ref) ?? this.deviceByManagedId(ref);
    if (byId && (!userId || byId.userId === userId)) return byId;
    const pool = userId ? this.devicesOf(userId) : [...this.devices()];
    const wanted = key(ref);
    const exact = pool.filter((d) => d.entra.displayName === ref);
    const loose = exact.length > 0 ? exact : pool.filter((d) => key(d.entra.displayName) === wanted);
    const matches = loose.length > 0 ? loose : pool.filter((d) => key(d.entra.displayName).includes(wanted));
    if (matches.length > 1) {
      throw new ActionError(
        409,
        'AmbiguousDevice',
        `"${ref}" matches ${matches.length} devices: ${matches.map((d) => d.entra.displayName).join(', ')}`,
      );
    }
    return matches[0];
  }

  troubleshootingEvents(userId?: string): readonly TroubleshootingEvent[] {
    return userId === undefined ? this.events : (this.eventsByUserId.get(userId) ?? []);
  }

  // ---- Teams app installations ---------------------------------------------------------------

  installedApps(userId: string): InstalledApp[] {
    return [...(this.appsByUserId.get(userId)?.values() ?? [])];
  }

  installApp(userId: string, appId: string): InstallResult {
    const user = this.usersById.get(userId);
    if (user?.blocksApp) return { outcome: 'blocked' };
    let apps = this.appsByUserId.get(userId);
    const existing = apps?.get(key(appId));
    if (existing) return { outcome: 'already-installed', app: existing };
    const app: InstalledApp = {
      id: Buffer.from(`${userId}##${appId}`).toString('base64url'),
      userId,
      teamsApp: { id: appId, externalId: null, displayName: 'Teams app', distributionMethod: 'organization' },
      chatId: `19:${userId}_${appId}@unq.gbl.spaces`,
    };
    if (!apps) {
      apps = new Map();
      this.appsByUserId.set(userId, apps);
    }
    apps.set(key(appId), app);
    return { outcome: 'installed', app };
  }

  // ---- device actions ------------------------------------------------------------------------

  unenroll(deviceRef: string): ActionResult {
    return this.applyAction(deviceRef, 'unenroll');
  }

  enroll(deviceRef: string): ActionResult {
    return this.applyAction(deviceRef, 'enroll');
  }

  comply(deviceRef: string): ActionResult {
    return this.applyAction(deviceRef, 'comply');
  }

  noncomply(deviceRef: string): ActionResult {
    return this.applyAction(deviceRef, 'noncomply');
  }

  fail(deviceRef: string, options: ActionOptions = {}): ActionResult {
    return this.applyAction(deviceRef, 'fail', options);
  }

  /** Runs an action on a device (any id form or a unique name); throws ActionError with a status. */
  applyAction(deviceRef: string, action: DeviceAction, options: ActionOptions = {}): ActionResult {
    const device = this.findDevice(deviceRef);
    if (!device)
      throw new ActionError(404, 'DeviceNotFound', `No device "${deviceRef}" in the simulated tenant.`);
    return this.act(device, action, options);
  }

  /** Runs an action on one of a user's devices: the named one, else the first. */
  applyUserAction(
    userRef: string,
    action: DeviceAction,
    deviceRef?: string,
    options: ActionOptions = {},
  ): ActionResult {
    const user = this.user(userRef);
    if (!user) throw new ActionError(404, 'UserNotFound', `No user "${userRef}" in the simulated tenant.`);
    const device = deviceRef ? this.findDevice(deviceRef, user.id) : this.devicesOf(user.id)[0];
    if (!device) {
      const names = this.devicesOf(user.id).map((d) => d.entra.displayName);
      throw new ActionError(
        404,
        'DeviceNotFound',
        deviceRef
          ? `${user.userPrincipalName} has no device "${deviceRef}" (devices: ${names.join(', ') || 'none'}).`
          : `${user.userPrincipalName} has no devices.`,
      );
    }
    return this.act(device, action, options);
  }

  private act(device: SimDevice, action: DeviceAction, options: ActionOptions): ActionResult {
    if (options.failureCategory && !FAILURE_CATEGORIES.includes(options.failureCategory)) {
      throw new ActionError(
        400,
        'BadFailureCategory',
        `Unknown failureCategory "${options.failureCategory}"; use one of ${FAILURE_CATEGORIES.join(', ')}.`,
      );
    }
    const user = this.usersById.get(device.userId)!;
    const outcome = performAction(action, device, { now: this.now(), newId: this.newId, user }, options);
    if (action === 'enroll' && device.intune) this.devicesByManagedId.set(key(device.intune.id), device);
    // Every action is a change a devices/delta round reports, as Entra sees the device check in.
    device.changeSeq = this.nextChange();
    if (outcome.event) this.recordEvent(outcome.event);
    return {
      action,
      user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
      device: {
        deviceId: device.entra.deviceId,
        objectId: device.entra.id,
        name: device.entra.displayName,
        operatingSystem: device.entra.operatingSystem,
        managedDeviceId: device.intune?.id ?? null,
        summary: deviceState(device).summary,
      },
      changes: outcome.changes,
      ...(outcome.event ? { event: outcome.event } : {}),
    };
  }
}
