/**
 * Apple's managed-device migration (iOS, iPadOS and macOS 26): IT reassigns an organisation-owned
 * device in Apple Business Manager to Intune with a deadline, and the device itself asks its user to
 * migrate now or postpone — no wipe, no manual unenrollment. A wave (or some of its platforms) can be
 * marked as migrating this way; this module decides which devices take that path. Pure.
 */
import type { Platform } from './device';

export const APPLE_MIGRATION_PLATFORMS = ['ios', 'ipados', 'macos'] as const;
export type AppleMigrationPlatform = (typeof APPLE_MIGRATION_PLATFORMS)[number];

/** Apple Business Manager accepts a deadline from 1 to 90 days ahead; the wave's start stands for "ahead of". */
export const APPLE_DEADLINE_MIN_DAYS = 1;
export const APPLE_DEADLINE_MAX_DAYS = 90;

const DAY_MS = 86_400_000;

/** A wave's Apple migration: the platforms reassigned in Apple Business Manager and the deadline set there. */
export interface AppleMigration {
  platforms: AppleMigrationPlatform[];
  /** ISO instant: when the devices enforce the migration. */
  deadline: string;
}

export type AppleDeadlineProblem = 'needs-start' | 'too-soon' | 'too-late' | 'not-a-date';

export function isAppleMigrationPlatform(value: string): value is AppleMigrationPlatform {
  return (APPLE_MIGRATION_PLATFORMS as readonly string[]).includes(value);
}

/**
 * Why a deadline cannot be used for a wave that starts at `start`, or undefined when it can: at least
 * one day and at most 90 days after the start, as Apple Business Manager allows.
 */
export function appleDeadlineProblem(
  start: string | undefined,
  deadline: string,
): AppleDeadlineProblem | undefined {
  const end = Date.parse(deadline);
  if (!Number.isFinite(end)) return 'not-a-date';
  const begin = start === undefined ? Number.NaN : Date.parse(start);
  if (!Number.isFinite(begin)) return 'needs-start';
  const days = (end - begin) / DAY_MS;
  if (days < APPLE_DEADLINE_MIN_DAYS) return 'too-soon';
  if (days > APPLE_DEADLINE_MAX_DAYS) return 'too-late';
  return undefined;
}

/**
 * A stored wave's setting, read defensively: rows written before the setting existed have none, and
 * a row that lost its shape (hand-edited, half-migrated) counts as none rather than breaking the journey.
 */
export function appleMigrationOf(raw: unknown): AppleMigration | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { platforms, deadline } = raw as { platforms?: unknown; deadline?: unknown };
  if (!Array.isArray(platforms) || typeof deadline !== 'string' || !Number.isFinite(Date.parse(deadline))) {
    return undefined;
  }
  const known = APPLE_MIGRATION_PLATFORMS.filter((p) => platforms.includes(p));
  return known.length > 0 ? { platforms: known, deadline } : undefined;
}

export interface AppleDeviceFacts {
  platform: Platform;
  /** As the journey records it; `company` includes supervised devices (see device-sources). */
  ownership?: 'personal' | 'company';
  supervised?: boolean;
}

/**
 * Whether the device follows Apple's migration instead of the manual unenroll steps: the wave marks
 * its platform, and the organisation owns it (company-owned or supervised) — Apple migrates only
 * devices in Apple Business Manager enrolled through Automated Device Enrollment, which personal
 * devices never are. An unknown ownership keeps the manual path, which works for every device.
 */
export function usesAppleMigration(
  wave: { appleMigration?: unknown } | undefined,
  device: AppleDeviceFacts,
): boolean {
  const setting = appleMigrationOf(wave?.appleMigration);
  if (!setting || !isAppleMigrationPlatform(device.platform)) return false;
  if (!setting.platforms.includes(device.platform)) return false;
  return device.ownership === 'company' || device.supervised === true;
}

/** Whole days from `now` until the deadline, rounded up; 0 once it has passed. */
export function daysUntilDeadline(deadline: string, now: Date): number {
  const left = Date.parse(deadline) - now.getTime();
  return Number.isFinite(left) && left > 0 ? Math.ceil(left / DAY_MS) : 0;
}
