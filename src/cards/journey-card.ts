import template from '../../adaptiveCards/journey.json';
import type { Wave } from '../domain/campaign';
import { type Escalation, MAX_TEXT_LENGTH } from '../domain/escalation-model';
import {
  type DeviceJourney,
  isTerminal,
  POST_CHECK_ITEMS,
  type PostCheckItem,
  stageIndex,
  stepperStage,
} from '../domain/journey';
import type { SourceMdm } from '../domain/source-mdm';
import { type Guidance, guidePath } from '../guidance/guidance';
import { guideTargetOf } from '../guidance/guide-target';
import { formatDateTime, type Language, type MessageKey, type Translate } from '../i18n';
import { JOURNEY_VERBS } from '../verbs/journey';
import { appleSectionOf } from './journey-apple-section';
import { type CardJson, renderCard } from './render';
import { observedAccessText } from './runbook-access';

/** What "I'm stuck" on the card asks; the helpdesk sees the choice in the user's words. */
export const STUCK_CATEGORIES = ['cannot-remove', 'portal', 'missing', 'other'] as const;
export type StuckCategory = (typeof STUCK_CATEGORIES)[number];

/** The journey card's input for details to the helpdesk (merged into the action data by Teams). */
export const TICKET_DETAIL_INPUT_ID = 'detail';
/** A resolved ticket stays visible on the journey card this long after its resolution. */
export const RESOLVED_TICKET_SHOWN_MS = 7 * 24 * 3_600_000;

export type JourneySection = 'unenroll' | 'it' | 'enroll' | 'postcheck' | 'message' | 'apple';

export interface JourneyCardInput {
  t: Translate;
  language: Language;
  locale: string;
  timeZone: string;
  now: Date;
  journeys: DeviceJourney[];
  focus: DeviceJourney;
  /** Version the card carries, to detect actions on an outdated card. */
  version: number;
  wave?: Wave;
  vendor: SourceMdm;
  guidance: Guidance;
  /** The bot's public address; links to the guide web pages need it. */
  publicBaseUrl?: string;
  notice?: { text: string; style: 'good' | 'warning' | 'attention' | 'accent' };
  /** Deferrals the user has left; undefined when reminders are off for the wave. */
  deferralsLeft?: number;
  /** The user's helpdesk ticket (current or last), shown while open and for a while after resolution. */
  escalation?: Escalation;
  /** Text the user had typed for the helpdesk, put back into the input (e.g. after a stale card). */
  detailDraft?: string;
}

interface ActionView {
  title: string;
  verb: string;
  style: 'default' | 'positive' | 'destructive';
  v: number;
  device: string;
}

export function journeyView(input: JourneyCardInput) {
  const { t, focus } = input;
  // A device an old-MDM source lists is guided for that source's vendor (a campaign may have two).
  const deviceVendor = focus.lastSeen?.oldMdm?.vendor ?? input.vendor;
  const vendor = t(`vendor.${deviceVendor}`);
  const device = focus.name || t(`platform.${focus.platform}`);
  const target = guideTargetOf({ platform: focus.platform, ownership: focus.ownership });
  const unenrollGuide = target
    ? input.guidance.unenroll(deviceVendor, target.platform, target.ownership, input.language)
    : undefined;
  const enrollGuide = target ? input.guidance.enroll(target.platform, input.language) : undefined;
  // A device in Apple's managed-device migration moves itself: its unenroll and enroll steps give way.
  const apple = appleSectionOf({ ...input, vendor, device });
  const section: JourneySection = apple ? 'apple' : sectionOf(focus);
  const action = (
    titleKey: MessageKey,
    verb: string,
    style: ActionView['style'] = 'default',
    vars?: Record<string, string | number>,
  ): ActionView => ({
    title: t(titleKey, vars),
    verb,
    style,
    v: input.version,
    device: focus.deviceKey,
  });

  const actions: ActionView[] = [];
  const links: { title: string; url: string }[] = [];
  const guideUrl =
    input.publicBaseUrl && target
      ? `${input.publicBaseUrl}${guidePath({ vendor: deviceVendor, platform: target.platform, ownership: target.ownership }, input.language)}`
      : undefined;
  const canDefer = input.deferralsLeft !== undefined && input.deferralsLeft > 0;
  const defer = () => {
    if (canDefer)
      actions.push(
        action('journey.action.defer', JOURNEY_VERBS.defer, 'default', { left: input.deferralsLeft ?? 0 }),
      );
  };
  switch (section) {
    case 'unenroll':
      actions.push(action('journey.action.unenrolled', JOURNEY_VERBS.unenrolled, 'positive'));
      actions.push(action('journey.action.check', JOURNEY_VERBS.check));
      actions.push(action('journey.action.cannot', JOURNEY_VERBS.cannot));
      defer();
      if (guideUrl) links.push({ title: t('journey.link.guide'), url: guideUrl });
      break;
    case 'enroll':
      if (focus.stage === 'unenrolled')
        actions.push(action('journey.action.enrolling', JOURNEY_VERBS.enrolling, 'positive'));
      actions.push(action('journey.action.check', JOURNEY_VERBS.check));
      defer();
      if (enrollGuide?.app)
        links.push({
          title: t('journey.link.store', { store: enrollGuide.app.storeLabel }),
          url: enrollGuide.app.url,
        });
      if (guideUrl) links.push({ title: t('journey.link.guide'), url: guideUrl });
      break;
    case 'it':
      actions.push(action('journey.action.check', JOURNEY_VERBS.check));
      break;
    case 'apple':
      // No "I've removed it": the device leaves the old MDM by itself, and the old MDM's word shows it.
      actions.push(action('journey.action.check', JOURNEY_VERBS.check));
      defer();
      break;
    case 'postcheck':
      actions.push(action('journey.action.postcheck', JOURNEY_VERBS.postCheck, 'positive'));
      break;
    case 'message':
      if (focus.stage === 'enrolled') actions.push(action('journey.action.check', JOURNEY_VERBS.check));
      break;
  }
  const next = input.journeys.find((j) => j.deviceKey !== focus.deviceKey && !isTerminal(j.stage));
  if (isTerminal(focus.stage) && next) {
    actions.push({
      ...action('journey.action.next', JOURNEY_VERBS.focus, 'positive'),
      device: next.deviceKey,
    });
  }

  const notice = input.notice ?? explanationNotice(t, focus, vendor);
  return {
    appName: t('app.name'),
    title: t('journey.title', { device }),
    subtitle: input.wave ? t('journey.subtitle', { wave: input.wave.name, ca: caText(input) }) : '',
    sourceLine: sourceLineOf(input, focus),
    refreshTitle: t('journey.refresh'),
    refreshVerb: JOURNEY_VERBS.refresh,
    v: input.version,
    steps: stepsOf(t, focus, vendor, apple ? t('apple.step.migrate') : undefined),
    notice: notice?.text ?? '',
    noticeStyle: notice?.style ?? 'default',
    section,
    unenroll: {
      heading: t('journey.unenroll.heading', { vendor, device }),
      warning: t('journey.unenroll.warning', { vendor }),
      disappears: unenrollGuide?.whatDisappears.map((w) => w.text) ?? [],
      steps: numbered([...(unenrollGuide?.steps ?? []), ...(unenrollGuide?.vendorSteps ?? [])]),
      companyNote: unenrollGuide?.companyNote ?? '',
    },
    it: {
      heading: t('journey.it.heading'),
      text: t('journey.it.text', { reason: focus.needsIt?.reason ?? unenrollGuide?.itReason ?? '' }).trim(),
    },
    enroll: {
      heading: t('journey.enroll.heading', { device }),
      steps: numbered(enrollGuide?.steps ?? []),
      builtInTitle: enrollGuide?.builtIn?.title ?? '',
      builtInSteps: numbered(enrollGuide?.builtIn?.steps ?? []),
      companyNote: enrollGuide?.companyNote ?? '',
    },
    apple: apple ?? { heading: '', intro: '', deadline: '', prompt: [], stays: [], expect: [] },
    postCheck: {
      heading: t('journey.postcheck.heading'),
      intro: t('journey.postcheck.intro', { device }),
      items: POST_CHECK_ITEMS.map((id) => ({
        id,
        label: t(`journey.postcheck.item.${id}` as MessageKey),
        yes: t('journey.yes'),
        no: t('journey.no'),
        errorMessage: t('journey.postcheck.error'),
      })),
    },
    message: messageOf(t, focus, input.journeys),
    keepOpen: section === 'unenroll' || section === 'enroll' ? t('journey.keepOpen') : '',
    devices: input.journeys.map((j) => ({
      key: j.deviceKey,
      label:
        j.deviceKey === focus.deviceKey
          ? t('journey.device.current', { device: j.name })
          : isTerminal(j.stage)
            ? t('journey.device.done', { device: j.name })
            : j.name,
      verb: JOURNEY_VERBS.focus,
      enabled: j.deviceKey !== focus.deviceKey,
      v: input.version,
    })),
    ticket: ticketOf(input),
    stuck: {
      // With a ticket open, details go through the ticket section instead.
      show: !isTerminal(focus.stage) && (!input.escalation || input.escalation.state === 'resolved'),
      title: t('journey.stuck.title'),
      categoryLabel: t('journey.stuck.category'),
      categories: STUCK_CATEGORIES.map((value) => ({
        title: t(`journey.stuck.cat.${value}`, { vendor }),
        value,
      })),
      saidLabel: t('journey.stuck.said'),
      sendTitle: t('journey.stuck.send'),
      verb: JOURNEY_VERBS.stuck,
      v: input.version,
      device: focus.deviceKey,
    },
    updatedAt: t('journey.updatedAt', { time: formatDateTime(input.now, input.locale, input.timeZone) }),
    actions,
    links,
  };
}

export type JourneyView = ReturnType<typeof journeyView>;
export const renderJourneyCard = (view: JourneyView): CardJson => renderCard(template, view);

const TICKET_STYLE = {
  open: 'attention',
  assigned: 'accent',
  'waiting-on-user': 'warning',
  resolved: 'good',
} as const;

/** The user's side of their helpdesk ticket: its state in words, "add details" and "it works now". */
function ticketOf(input: JourneyCardInput) {
  const { t } = input;
  const e = input.escalation;
  const resolvedMs = Date.parse(e?.resolvedAt ?? '');
  const show =
    !!e &&
    (e.state !== 'resolved' ||
      (Number.isFinite(resolvedMs) && input.now.getTime() - resolvedMs <= RESOLVED_TICKET_SHOWN_MS));
  const open = !!e && e.state !== 'resolved';
  const agent = e?.assignee?.name ?? t('journey.ticket.someone');
  const number = e?.ticketNumber ?? 0;
  const stateText = !e
    ? ''
    : e.state === 'open'
      ? t('journey.ticket.state.open', { number })
      : e.state === 'assigned'
        ? t('journey.ticket.state.assigned', { number, agent })
        : e.state === 'waiting-on-user'
          ? t('journey.ticket.state.waiting-on-user', { number, agent })
          : e.resolution?.withdrawn
            ? t('journey.ticket.state.withdrawn', { number })
            : t('journey.ticket.state.resolved', { number, note: e.resolution?.note ?? '' });
  // The post-check form's answers are required inputs, which an "auto" action would validate too:
  // there, details go through "I'm stuck" in the chat and only "It works now" is offered.
  const canAdd = open && sectionOf(input.focus) !== 'postcheck';
  return {
    show,
    heading: t('journey.ticket.heading'),
    stateText,
    style: e ? TICKET_STYLE[e.state] : 'default',
    canAdd,
    canWithdraw: open,
    inputId: TICKET_DETAIL_INPUT_ID,
    label: e?.state === 'waiting-on-user' ? t('journey.ticket.labelWaiting') : t('journey.ticket.label'),
    placeholder: t('journey.ticket.placeholder'),
    maxLength: MAX_TEXT_LENGTH,
    draft: (input.detailDraft ?? '').slice(0, MAX_TEXT_LENGTH),
    sendTitle: t('journey.ticket.send'),
    sendVerb: JOURNEY_VERBS.ticketDetail,
    withdrawTitle: t('journey.ticket.withdraw'),
    withdrawVerb: JOURNEY_VERBS.ticketWithdraw,
    id: e?.ticketId ?? '',
    tv: e?.version ?? 0,
    v: input.version,
  };
}

/** Which part of the guidance the card shows for a device at its stage. */
export function sectionOf(j: DeviceJourney): JourneySection {
  switch (j.stage) {
    case 'notified':
    case 'started':
    case 'unenrolling':
      return 'unenroll';
    case 'needs-it':
      return 'it';
    case 'unenrolled':
    case 'enrolling':
      return 'enroll';
    case 'compliant':
      // Once answered with a "no", the helpdesk takes it from there; the form is not asked again.
      return j.flags.postCheck ? 'message' : 'postcheck';
    default:
      return 'message';
  }
}

function stepsOf(t: Translate, j: DeviceJourney, vendor: string, firstLabel?: string) {
  const at = stageIndex(stepperStage(j));
  const steps: { label: string; doneFrom: number; currentFrom: number }[] = [
    {
      label: firstLabel ?? t('journey.step.unenroll', { vendor }),
      doneFrom: stageIndex('unenrolled'),
      currentFrom: 0,
    },
    {
      label: t('journey.step.enroll'),
      doneFrom: stageIndex('enrolled'),
      currentFrom: stageIndex('unenrolled'),
    },
    {
      label: t('journey.step.compliant'),
      doneFrom: stageIndex('compliant'),
      currentFrom: stageIndex('enrolled'),
    },
    {
      label: t('journey.step.verified'),
      doneFrom: stageIndex('verified'),
      currentFrom: stageIndex('compliant'),
    },
  ];
  return steps.map((s) => {
    const done = at >= s.doneFrom;
    const current = !done && at >= s.currentFrom;
    return {
      marker: done ? '✔' : current ? '➜' : '○',
      label: s.label,
      weight: current ? 'Bolder' : 'Default',
      subtle: !done && !current,
    };
  });
}

function messageOf(t: Translate, j: DeviceJourney, all: DeviceJourney[]) {
  const device = j.name;
  if (j.stage === 'verified') {
    const allDone = all.every((x) => isTerminal(x.stage));
    return {
      heading: t('journey.done.heading'),
      text: allDone ? t('journey.doneAll.text') : t('journey.done.text', { device }),
    };
  }
  if (j.stage === 'excluded') {
    return {
      heading: t('journey.excluded.heading'),
      text: t('journey.excluded.text', { device, reason: j.exclusion?.reason ?? '' }),
    };
  }
  if (j.stage === 'compliant' && j.flags.postCheck) {
    const failed = POST_CHECK_ITEMS.filter((i: PostCheckItem) => j.flags.postCheck?.[i] === 'no').map((i) =>
      t(`journey.postcheck.item.${i}` as MessageKey),
    );
    return {
      heading: t('journey.postcheck.heading'),
      text: t('journey.postcheck.failed', { items: failed.join(', ') }),
    };
  }
  return { heading: t('journey.enrolled.heading'), text: t('journey.enrolled.text', { device }) };
}

/** What the old MDM's own inventory said at the last look, so the user knows which source saw what. */
function sourceLineOf(input: JourneyCardInput, j: DeviceJourney): string {
  const old = j.lastSeen?.oldMdm;
  if (!old) return '';
  const vendor = input.t(`vendor.${old.vendor}`);
  if (!old.listed) return input.t('journey.source.oldMdmGone', { vendor });
  if (!old.lastSeen) return input.t('journey.source.oldMdmListedNever', { vendor });
  const time = formatDateTime(new Date(old.lastSeen), input.locale, input.timeZone);
  return input.t('journey.source.oldMdmListed', { vendor, time });
}

function explanationNotice(t: Translate, j: DeviceJourney, vendor: string): JourneyCardInput['notice'] {
  const code = j.flags.explanation;
  if (!code) return undefined;
  const reason = failureText(t, j.flags.enrollmentFailure?.category, j.flags.enrollmentFailure?.reason);
  return { text: t(`journey.explain.${code}` as MessageKey, { vendor, reason }), style: 'warning' };
}

/** An enrollment failure category in words, with Graph's own reason when it gave one. */
export function failureText(t: Translate, category: string | undefined, reason?: string): string {
  const key = `journey.failure.${category ?? 'unknown'}` as MessageKey;
  const words = t(key) === key ? t('journey.failure.unknown') : t(key);
  return reason ? `${words} (${reason})` : words;
}

function caText(input: JourneyCardInput): string {
  // What the evaluated policies say for the wave's members, when they all share it; else the mode.
  const observed = observedAccessText(input, input.wave);
  if (observed) return observed;
  const ca = input.wave?.conditionalAccess;
  if (!ca || ca.kind === 'none') return input.t('journey.ca.none');
  if (ca.kind === 'immediate') return input.t('journey.ca.immediate');
  return input.t('journey.ca.grace', {
    date: formatDateTime(new Date(ca.endsAt), input.locale, input.timeZone),
  });
}

function numbered(steps: string[]): string[] {
  return steps.map((s, i) => `${i + 1}. ${s}`);
}
