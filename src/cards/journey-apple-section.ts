/**
 * The journey card's "Apple path": for a company-owned iPhone, iPad or Mac in a wave marked for Apple's
 * managed-device migration, the manual unenroll (and Company Portal) steps give way to what the device's
 * own prompt looks like, the deadline in the user's time zone and language, what stays and what to
 * expect. Intune's and the old MDM's observations move the journey as for any other device.
 */
import {
  appleMigrationOf,
  daysUntilDeadline,
  isAppleMigrationPlatform,
  usesAppleMigration,
} from '../domain/apple-migration';
import type { Wave } from '../domain/campaign';
import type { DeviceJourney } from '../domain/journey';
import { appleGuide } from '../guidance/apple-guide';
import { formatDateTime, type Language, type Translate } from '../i18n';

export interface AppleSectionInput {
  t: Translate;
  language: Language;
  locale: string;
  timeZone: string;
  now: Date;
  focus: DeviceJourney;
  wave?: Wave;
  /** The old MDM's name and the device's, as the card shows them. */
  vendor: string;
  device: string;
}

export interface AppleSectionView {
  /** `prompt` until the old MDM lets the device go; `migrating` while it re-enrolls by itself. */
  phase: 'prompt' | 'migrating';
  heading: string;
  intro: string;
  deadline: string;
  deadlinePassed: boolean;
  promptHeading: string;
  prompt: string[];
  staysHeading: string;
  stays: string[];
  expectHeading: string;
  expect: string[];
}

/** Stages in which the manual path would show its unenroll or enroll steps. */
const PROMPT_STAGES = new Set(['notified', 'started', 'unenrolling']);
const MIGRATING_STAGES = new Set(['unenrolled', 'enrolling']);

/** The Apple path for the focused device, or undefined when it follows the manual path (or is past it). */
export function appleSectionOf(input: AppleSectionInput): AppleSectionView | undefined {
  const { t, focus } = input;
  const setting = appleMigrationOf(input.wave?.appleMigration);
  if (!setting || !usesAppleMigration(input.wave, focus) || !isAppleMigrationPlatform(focus.platform)) {
    return undefined;
  }
  const phase = PROMPT_STAGES.has(focus.stage)
    ? 'prompt'
    : MIGRATING_STAGES.has(focus.stage)
      ? 'migrating'
      : undefined;
  if (!phase) return undefined;
  const fill = (s: string) => s.replaceAll('{device}', input.device).replaceAll('{vendor}', input.vendor);
  const guide = appleGuide(focus.platform, input.language);
  const date = formatDateTime(new Date(setting.deadline), input.locale, input.timeZone);
  const days = daysUntilDeadline(setting.deadline, input.now);
  const deadline =
    days === 0
      ? t('apple.deadlinePassed', { date })
      : days === 1
        ? t('apple.deadlineOne', { date })
        : t('apple.deadline', { date, days });
  const vars = { device: input.device, vendor: input.vendor };
  return {
    phase,
    heading: phase === 'prompt' ? t('apple.heading', vars) : t('apple.migrating.heading', vars),
    intro: phase === 'prompt' ? t('apple.intro', vars) : t('apple.migrating.text', vars),
    deadline,
    deadlinePassed: days === 0,
    promptHeading: t('apple.promptHeading'),
    prompt: phase === 'prompt' ? guide.prompt.map(fill) : [],
    staysHeading: t('apple.staysHeading'),
    stays: guide.stays.map(fill),
    expectHeading: t('apple.expectHeading'),
    expect: guide.expect.map(fill),
  };
}

/** The wave's Apple setting in words, for admins: "Mac (macOS); deadline 12 Mar 2026, 17:00". */
export function appleMigrationSummary(
  t: Translate,
  raw: unknown,
  locale: string,
  timeZone: string,
): string | undefined {
  const setting = appleMigrationOf(raw);
  if (!setting) return undefined;
  return t('apple.admin.factValue', {
    platforms: setting.platforms.map((p) => t(`apple.platform.${p}`)).join(', '),
    date: formatDateTime(new Date(setting.deadline), locale, timeZone),
  });
}
