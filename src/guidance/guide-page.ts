/**
 * The guide web pages: the same guidance as the cards, as plain HTML that opens on any device
 * (a user whose phone just lost Teams reads it on a laptop, or on paper). No scripts, no external
 * assets, no personal data; every piece of text is escaped, content included.
 */
import { createHash } from 'node:crypto';
import { SOURCE_MDMS } from '../domain/source-mdm';
import { LANGUAGES, type Language, languageMeta } from '../i18n';
import type { Ownership } from './guidance-schema';
import { type EnrollGuide, type GuideSummary, guidePath, type UnenrollGuide } from './guide-model';
import { type PageText, pageText } from './page-text';

const CSS = `
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#555;--accent:#0f5cb8;--warn-bg:#fff4ce;--warn-border:#b7791f;--box-bg:#eef3fb;--line:#d0d7de}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--bg:#161616;--muted:#b5b5b5;--accent:#7db4ff;--warn-bg:#3a2f10;--warn-border:#e0b84f;--box-bg:#1f2a3a;--line:#3a3a3a}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:44rem;margin:0 auto;padding:1rem 1.25rem 3rem}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;inset-inline-start:-999px}
.skip:focus{inset-inline-start:1rem;top:1rem;background:var(--bg);padding:.5rem}
nav{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;font-size:.95rem;padding-bottom:.75rem;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;line-height:1.25;margin:1.25rem 0 .5rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
h3{font-size:1.05rem;margin:1.5rem 0 .25rem}
.meta{color:var(--muted);margin:.25rem 0}
.box{border-inline-start:.3rem solid var(--accent);background:var(--box-bg);padding:.75rem 1rem;margin:1rem 0;border-radius:.25rem}
.warning{border-inline-start-color:var(--warn-border);background:var(--warn-bg)}
.box h2,.box h3{margin-top:0}
ol.steps{padding-inline-start:1.75rem}
ol.steps li{margin:.5rem 0;padding-inline-start:.25rem}
ul.items{padding-inline-start:1.25rem}
.store{display:inline-block;font-weight:600;padding:.6rem 1rem;border:2px solid var(--accent);border-radius:.4rem;text-decoration:none;margin:.5rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:start;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
footer{margin-top:3rem;color:var(--muted);font-size:.9rem}
@media print{nav,.skip,.switch{display:none}body{font-size:11pt;color:#000;background:#fff}.wrap{max-width:none;padding:0}.box{border:1px solid #999;background:none}a{color:#000}.store::after,.print-url::after{content:" (" attr(href) ")";font-weight:normal;word-break:break-all}section{break-inside:avoid-page}}
`.trim();

/** Scripts are forbidden outright; the one inline style block is allowed by its hash, nothing else. */
export const GUIDE_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface GuidePageInput {
  unenroll: UnenrollGuide;
  enroll: EnrollGuide;
}

export function renderGuidePage({ unenroll, enroll }: GuidePageInput): string {
  const language = unenroll.language;
  const text = pageText(language);
  const { ownership } = unenroll.key;
  const other: Ownership = ownership === 'personal' ? 'corporate' : 'personal';
  const body = [
    `<h1>${escapeHtml(unenroll.title)}</h1>`,
    `<p class="meta">${escapeHtml(capitalize(unenroll.ownershipLabel))} · ${escapeHtml(text.totalMinutes(unenroll.minutes + enroll.minutes))}</p>`,
    `<p class="switch"><a href="${escapeHtml(query(language, other))}">${escapeHtml(text.otherOwnership[other])}</a></p>`,
    beforeYouStart(unenroll, text),
    note(unenroll.companyNote ?? enroll.companyNote, text.companyNoteTitle),
    unenrollSection(unenroll, text),
    enrollSection(enroll, ownership, text),
    `<section aria-labelledby="done"><h2 id="done">${escapeHtml(text.doneTitle)}</h2><p>${escapeHtml(text.done)}</p></section>`,
  ]
    .filter(Boolean)
    .join('\n');
  return layout({
    language,
    title: unenroll.title,
    hrefIn: (other) => query(other, ownership),
    body,
  });
}

export type GuideListKind = 'index' | 'not-found' | 'bad-request';

export interface GuideListPageInput {
  kind: GuideListKind;
  language: Language;
  /** Every guide, in the language of the page. */
  guides: readonly GuideSummary[];
}

/** The index of all guides; also the body of the 404 and 400 pages, so a bad link still helps. */
export function renderGuideListPage({ kind, language, guides }: GuideListPageInput): string {
  const text = pageText(language);
  const [title, intro] = {
    index: [text.indexTitle, text.indexIntro],
    'not-found': [text.notFoundTitle, text.notFoundIntro],
    'bad-request': [text.badRequestTitle, text.badRequestIntro],
  }[kind];
  const sections = SOURCE_MDMS.map((vendor) => vendorTable(vendor, guides, language)).filter(Boolean);
  const body = [`<h1>${escapeHtml(title)}</h1>`, `<p>${escapeHtml(intro)}</p>`, ...sections].join('\n');
  return layout({ language, title, hrefIn: (other) => `?lang=${other}`, body, index: true });
}

function beforeYouStart(guide: UnenrollGuide, text: PageText): string {
  const items = guide.whatDisappears
    .map((w) => `<li><strong>${escapeHtml(text.items[w.item])}:</strong> ${escapeHtml(w.text)}</li>`)
    .join('');
  return [
    '<section class="box warning" aria-labelledby="before">',
    `<h2 id="before">${escapeHtml(text.beforeTitle)}</h2>`,
    `<p>${escapeHtml(text.keepOpen)}</p>`,
    items ? `<p>${escapeHtml(text.whatDisappearsIntro)}</p><ul class="items">${items}</ul>` : '',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function unenrollSection(guide: UnenrollGuide, text: PageText): string {
  return [
    '<section aria-labelledby="part1">',
    `<h2 id="part1">${escapeHtml(text.part1(guide.vendorName))}</h2>`,
    `<p class="meta">${escapeHtml(text.partMinutes(guide.minutes))}</p>`,
    guide.itReason
      ? `<div class="box"><h3>${escapeHtml(text.itTitle)}</h3><p>${escapeHtml(guide.itReason)}</p></div>`
      : '',
    guide.note ? `<p>${escapeHtml(guide.note)}</p>` : '',
    `<ol class="steps" id="steps">${listItems(guide.steps)}</ol>`,
    guide.vendorSteps
      ? `<h3>${escapeHtml(text.vendorStepsTitle(guide.vendorName))}</h3><ol class="steps">${listItems(guide.vendorSteps)}</ol>`
      : '',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function enrollSection(guide: EnrollGuide, ownership: Ownership, text: PageText): string {
  const app = guide.app;
  return [
    '<section aria-labelledby="part2">',
    `<h2 id="part2">${escapeHtml(text.part2)}</h2>`,
    `<p class="meta">${escapeHtml(text.partMinutes(guide.minutes))}</p>`,
    ownership === 'corporate' && guide.corporateNote
      ? `<div class="box"><p>${escapeHtml(guide.corporateNote)}</p></div>`
      : '',
    `<h3>${escapeHtml(guide.title)}</h3>`,
    app
      ? `<p><a class="store" href="${escapeHtml(app.url)}" rel="noopener noreferrer">${escapeHtml(text.getApp(app.name, app.storeLabel))}</a></p>`
      : '',
    `<ol class="steps">${listItems(guide.steps)}</ol>`,
    guide.builtIn
      ? `<h3>${escapeHtml(guide.builtIn.title)}</h3><ol class="steps">${listItems(guide.builtIn.steps)}</ol>`
      : '',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function vendorTable(vendor: string, guides: readonly GuideSummary[], language: Language): string {
  const text = pageText(language);
  const mine = guides.filter((g) => g.key.vendor === vendor);
  if (mine.length === 0) return '';
  const platforms = [...new Set(mine.map((g) => g.key.platform))];
  const rows = platforms.map((platform) => {
    const cells = (['personal', 'corporate'] as const).map((ownership) => {
      const g = mine.find((s) => s.key.platform === platform && s.key.ownership === ownership);
      if (!g) return '<td></td>';
      return `<td><a href="${escapeHtml(guidePath(g.key, language))}" aria-label="${escapeHtml(g.title)}">${escapeHtml(text.ownershipColumn[ownership])}</a></td>`;
    });
    const label = mine.find((s) => s.key.platform === platform)!.platformLabel;
    return `<tr><th scope="row">${escapeHtml(label)}</th>${cells.join('')}</tr>`;
  });
  const id = `v-${vendor}`;
  return [
    `<section aria-labelledby="${id}">`,
    `<h2 id="${id}">${escapeHtml(mine[0]!.vendorLabel)}</h2>`,
    '<table>',
    `<thead><tr><th scope="col">${escapeHtml(text.deviceColumn)}</th><th scope="col">${escapeHtml(text.ownershipColumn.personal)}</th><th scope="col">${escapeHtml(text.ownershipColumn.corporate)}</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</section>',
  ].join('\n');
}

interface LayoutInput {
  language: Language;
  title: string;
  body: string;
  /** The same page in another language. */
  hrefIn: (language: Language) => string;
  index?: boolean;
  /** The languages to link to; every language with files by default. */
  languages?: readonly Language[];
}

function layout({ language, title, body, hrefIn, index, languages = LANGUAGES }: LayoutInput): string {
  const text = pageText(language);
  const { dir } = languageMeta(language);
  // Each language's name is written in that language, so it carries its own lang and direction.
  const switches = languages
    .filter((other) => other !== language)
    .map((other) => {
      const meta = languageMeta(other);
      return `<a href="${escapeHtml(hrefIn(other))}" hreflang="${other}" lang="${other}" dir="${meta.dir}">${escapeHtml(meta.name)}</a>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="${language}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="wrap">
${index ? '' : `<a class="skip" href="#steps">${escapeHtml(text.skipToSteps)}</a>`}
<nav aria-label="${escapeHtml(text.navLabel)}">
${switches}
${index ? '' : `<a href="/guides?lang=${language}">${escapeHtml(text.allGuides)}</a>`}
</nav>
<main>
${body}
</main>
<footer><p>${escapeHtml(text.footer)}</p></footer>
</div>
</body>
</html>
`;
}

/** A query-only link keeps the page's own path, which also survives a reverse proxy's prefix. */
function query(language: Language, ownership: Ownership): string {
  return `?lang=${language}&ownership=${ownership}`;
}

function listItems(items: readonly string[]): string {
  return items.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
}

function note(textValue: string | undefined, title: string): string {
  if (!textValue) return '';
  const paragraphs = textValue
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('');
  return `<section class="box" aria-labelledby="company-note"><h2 id="company-note">${escapeHtml(title)}</h2>${paragraphs}</section>`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
