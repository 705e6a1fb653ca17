/**
 * The shape of the guidance content files (built-in and admin override), as zod schemas. Every
 * file is validated at start-up; a mistake is reported with the file and the field path so that
 * whoever edits the JSON can find it without reading this code.
 */
import { z } from 'zod';

/** Platforms a guide exists for. `ipados` is optional content: without it the iOS guide is used. */
export type GuidePlatform =
  | 'ios'
  | 'ipados'
  | 'android-work-profile'
  | 'android-fully-managed'
  | 'windows'
  | 'macos';
export const GUIDE_PLATFORMS: readonly GuidePlatform[] = [
  'ios',
  'ipados',
  'android-work-profile',
  'android-fully-managed',
  'windows',
  'macos',
];
/** The platforms the built-in content must cover completely. */
export type ContentPlatform = Exclude<GuidePlatform, 'ipados'>;
export const CONTENT_PLATFORMS: readonly ContentPlatform[] = [
  'ios',
  'android-work-profile',
  'android-fully-managed',
  'windows',
  'macos',
];

export type Ownership = 'personal' | 'corporate';
export const OWNERSHIPS: readonly Ownership[] = ['personal', 'corporate'];

/** What can stop working when the old MDM lets go of a device, in the order guides show them. */
export type ResourceItem = 'email' | 'wifi' | 'vpn' | 'apps' | 'certificates' | 'teams';
export const RESOURCE_ITEMS: readonly ResourceItem[] = [
  'email',
  'wifi',
  'vpn',
  'apps',
  'certificates',
  'teams',
];

export type StoreId = 'app-store' | 'google-play' | 'microsoft-store' | 'microsoft-download';
/**
 * The only hosts a store link may point at. Kept in code, not content, so that an edited content
 * file cannot send users to an arbitrary site for "Company Portal". How each store is named in a
 * sentence is in the language catalogs (`guide.store.<id>`).
 */
export const STORES: Readonly<Record<StoreId, { host: string }>> = {
  'app-store': { host: 'apps.apple.com' },
  'google-play': { host: 'play.google.com' },
  'microsoft-store': { host: 'apps.microsoft.com' },
  'microsoft-download': { host: 'go.microsoft.com' },
};
const STORE_IDS = Object.keys(STORES) as [StoreId, ...StoreId[]];

/** Words in curly braces that the loader fills in; guides of one vendor share one text this way. */
export const UNENROLL_PLACEHOLDERS = ['vendor', 'agent', 'platform', 'ownership'] as const;
/** Enrollment does not depend on the vendor, so its text can only name the platform. */
export const ENROLL_PLACEHOLDERS = ['platform'] as const;

const MAX_TEXT = 1200;
const MAX_STEPS = 20;

function textWith(placeholders: readonly string[]) {
  return z
    .string({ required_error: 'required', invalid_type_error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_TEXT, `is too long (${MAX_TEXT} characters at most)`)
    .superRefine((s, ctx) => {
      for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
        if (!placeholders.includes(m[1]!)) {
          const allowed = placeholders.map((p) => `{${p}}`).join(', ');
          ctx.addIssue({
            code: 'custom',
            message: `unknown placeholder {${m[1]}}; only ${allowed} can be used`,
          });
        }
      }
    });
}

function localizedWith(placeholders: readonly string[]) {
  const t = textWith(placeholders);
  // English is the reference; every other language's text sits beside it (src/guidance/content/i18n/).
  return z.object({ en: t }, { required_error: 'required' }).catchall(t);
}

/** Names and labels are shown as they are: no placeholders. */
const label = localizedWith([]);
const unenrollText = localizedWith(UNENROLL_PLACEHOLDERS);
const enrollText = localizedWith(ENROLL_PLACEHOLDERS);
const keywords = z
  .array(z.string().trim().toLowerCase().min(1, 'must not be empty').max(40, 'is too long'))
  .max(80, 'has too many keywords (80 at most)');
const minutes = z
  .number({ invalid_type_error: 'must be a number of minutes' })
  .int('must be a whole number of minutes')
  .min(1, 'must be at least 1')
  .max(480, 'must be at most 480');

function stepsOf<T extends z.ZodTypeAny>(step: T) {
  return z
    .array(step)
    .min(1, 'needs at least one step')
    .max(MAX_STEPS, `has too many steps (${MAX_STEPS} at most)`);
}

const whatDisappearsPatch = z
  .object({
    email: unenrollText.nullable().optional(),
    wifi: unenrollText.nullable().optional(),
    vpn: unenrollText.nullable().optional(),
    apps: unenrollText.nullable().optional(),
    certificates: unenrollText.nullable().optional(),
    teams: unenrollText.nullable().optional(),
  })
  .strict();

/**
 * One layer of an unenroll guide. Layers are merged in order (common → vendor → override), each
 * field replacing the one below; `null` removes what a lower layer set.
 */
export const guidePatchSchema = z
  .object({
    selfService: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
    itReason: unenrollText.optional(),
    minutes: minutes.optional(),
    steps: stepsOf(unenrollText).optional(),
    /** The vendor's own way out (its agent app or self-service portal), shown as an alternative. */
    vendorSteps: stepsOf(unenrollText).nullable().optional(),
    note: unenrollText.nullable().optional(),
    whatDisappears: whatDisappearsPatch.optional(),
    companyNote: unenrollText.nullable().optional(),
  })
  .strict();

const ownershipPatches = z
  .object({
    /** Applies to personal and corporate devices alike, before the ownership-specific layer. */
    both: guidePatchSchema.optional(),
    personal: guidePatchSchema.optional(),
    corporate: guidePatchSchema.optional(),
  })
  .strict();

/** Vendor and override layers per platform; `all` applies to every platform, before its own layer. */
const platformPatches = z
  .object({
    all: ownershipPatches.optional(),
    ios: ownershipPatches.optional(),
    ipados: ownershipPatches.optional(),
    'android-work-profile': ownershipPatches.optional(),
    'android-fully-managed': ownershipPatches.optional(),
    windows: ownershipPatches.optional(),
    macos: ownershipPatches.optional(),
  })
  .strict();

const platformBase = ownershipPatches.extend({ label, keywords }).strict();
const ownershipInfo = z.object({ label, keywords }).strict();
const comment = z.string().optional();

/** content/common.json: the platform steps every vendor shares, and the labels. */
export const commonFileSchema = z
  .object({
    $comment: comment,
    guideTitle: unenrollText,
    ownership: z.object({ personal: ownershipInfo, corporate: ownershipInfo }).strict(),
    platforms: z
      .object({
        ios: platformBase,
        ipados: platformBase.optional(),
        'android-work-profile': platformBase,
        'android-fully-managed': platformBase,
        windows: platformBase,
        macos: platformBase,
      })
      .strict(),
  })
  .strict();

/** content/<vendor>.json: the vendor's names and whatever differs from the common steps. */
export const vendorFileSchema = z
  .object({
    $comment: comment,
    label,
    /** How sentences name the vendor, when that differs from the label ("your current MDM"). */
    name: label.optional(),
    /** The vendor's agent app, with its article: "the Intelligent Hub app" / "appen Intelligent Hub". */
    agent: label,
    keywords,
    guides: platformPatches.default({}),
  })
  .strict();

const appSchema = z
  .object({ name: label, store: z.enum(STORE_IDS), url: z.string({ required_error: 'required' }) })
  .strict()
  .superRefine((app, ctx) => {
    const problem = storeLinkProblem(app.store, app.url);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  });

export const enrollPatchSchema = z
  .object({
    title: enrollText.optional(),
    minutes: minutes.optional(),
    app: appSchema.nullable().optional(),
    steps: stepsOf(enrollText).optional(),
    /** A second way that needs no app (Windows: Settings → Accounts → Access work or school). */
    builtIn: z
      .object({ title: enrollText, steps: stepsOf(enrollText) })
      .strict()
      .nullable()
      .optional(),
    /** Shown to owners of company-owned devices, which IT usually enrolls during setup. */
    corporateNote: enrollText.nullable().optional(),
    companyNote: enrollText.nullable().optional(),
  })
  .strict();

const enrollComplete = enrollPatchSchema.required({ title: true, minutes: true, steps: true });

/** content/enroll.json: how to get into Intune, per platform. */
export const enrollFileSchema = z
  .object({
    $comment: comment,
    platforms: z
      .object({
        ios: enrollComplete,
        ipados: enrollPatchSchema.optional(),
        'android-work-profile': enrollComplete,
        'android-fully-managed': enrollComplete,
        windows: enrollComplete,
        macos: enrollComplete,
      })
      .strict(),
  })
  .strict();

/** The admin override (GUIDANCE_OVERRIDE_PATH): any layer may be replaced or extended. */
export const overrideFileSchema = z
  .object({
    $comment: comment,
    /**
     * Shown on every guide unless a guide has its own companyNote (or sets it to null). Enrollment
     * pages show it too, so it can only use the placeholders they know.
     */
    companyNote: enrollText.optional(),
    unenroll: z
      .object({
        'workspace-one': platformPatches.optional(),
        ivanti: platformPatches.optional(),
        jamf: platformPatches.optional(),
        blackberry: platformPatches.optional(),
        citrix: platformPatches.optional(),
        other: platformPatches.optional(),
      })
      .strict()
      .optional(),
    enroll: z
      .object({
        ios: enrollPatchSchema.optional(),
        ipados: enrollPatchSchema.optional(),
        'android-work-profile': enrollPatchSchema.optional(),
        'android-fully-managed': enrollPatchSchema.optional(),
        windows: enrollPatchSchema.optional(),
        macos: enrollPatchSchema.optional(),
      })
      .strict()
      .optional(),
    /**
     * Any built-in text in any language, by the same keys as the translation files
     * (content/i18n/<tag>.json): { "nb": { "jamf.guides.ios.personal.steps.1": "…" } }.
     */
    translations: z
      .record(
        z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as nb or ar'),
        z.record(z.string(), z.string().trim().min(1, 'must not be empty').max(MAX_TEXT, 'is too long')),
      )
      .optional(),
  })
  .strict();

export type LocalizedText = z.infer<typeof label>;
export type GuidePatch = z.infer<typeof guidePatchSchema>;
export type OwnershipPatches = z.infer<typeof ownershipPatches>;
export type EnrollPatch = z.infer<typeof enrollPatchSchema>;
export type CommonFile = z.infer<typeof commonFileSchema>;
export type VendorFile = z.infer<typeof vendorFileSchema>;
export type EnrollFile = z.infer<typeof enrollFileSchema>;
export type OverrideFile = z.infer<typeof overrideFileSchema>;

/** Why a store link is not acceptable, or undefined when it is. Form only: nothing is fetched. */
export function storeLinkProblem(store: StoreId, raw: string): string | undefined {
  const host = STORES[store].host;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `is not a URL; use an https link on ${host}`;
  }
  if (url.protocol !== 'https:') return `must use https (an https link on ${host})`;
  if (url.hostname !== host) return `must point at ${host} for store "${store}", not ${url.hostname}`;
  if (url.username || url.password) return 'must not contain a user name or password';
  return undefined;
}

/** Renders zod's issue path as the JSON path an editor would look for: a.b[2].sv. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(top level)';
}

/** One line per problem: "file: field.path: message". */
export function describeIssues(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${file}: ${formatPath(issue.path)}: ${issueMessage(issue)}`);
}

function issueMessage(issue: z.ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'required';
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_enum_value') {
    return `must be one of ${issue.options.map((o) => `"${String(o)}"`).join(', ')}`;
  }
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
