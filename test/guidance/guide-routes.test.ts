import assert from 'node:assert/strict';
import restify from 'restify';
import { type Guidance, loadGuidance } from '../../src/guidance/guidance';
import { escapeHtml, GUIDE_PAGE_CSP } from '../../src/guidance/guide-page';
import { languageFromHeader, registerGuideRoutes } from '../../src/guidance/guide-routes';
import { LANGUAGES, translator } from '../../src/i18n';
import { tempJson } from './content-fixture';

/** A company note that tries to inject markup; the pages must show it as text. */
const HOSTILE_NOTE = {
  en: 'Call <script>alert("x")</script> & ask for "Kim"',
  sv: "Ring <img src=x onerror=alert(1)> & fråga efter 'Kim'",
};

describe('integration: guide web pages over HTTP', () => {
  let server: restify.Server;
  let base: string;
  let guidance: Guidance;

  before(async () => {
    const override = tempJson('override.json', { companyNote: HOSTILE_NOTE });
    try {
      guidance = loadGuidance({ overridePath: override.file });
    } finally {
      override.remove();
    }
    server = restify.createServer({ handleUncaughtExceptions: false });
    registerGuideRoutes(server, guidance);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, headers: res.headers, html: await res.text() };
  };

  it('serves a guide as HTML with caching, a script-free CSP and the safety headers', async () => {
    const res = await get('/guides/jamf/ios');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal(res.headers.get('content-security-policy'), GUIDE_PAGE_CSP);
    assert.match(GUIDE_PAGE_CSP, /default-src 'none'/);
    assert.match(GUIDE_PAGE_CSP, /script-src 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('vary'), 'Accept-Language');
    assert.equal(res.headers.get('content-language'), 'en');
  });

  it('shows the warning, the unenroll steps, then the enroll steps with the store link', async () => {
    const { html } = await get('/guides/jamf/ios?lang=en');
    const g = guidance.unenroll('jamf', 'ios', 'personal', 'en');
    const at = (s: string) => {
      const i = html.indexOf(s);
      assert.ok(i >= 0, `page contains ${s}`);
      return i;
    };
    assert.match(html, /<html lang="en" dir="ltr">/);
    assert.ok(at('Before you start') < at('Part 1: Leave Jamf Pro'));
    assert.ok(at('Part 1: Leave Jamf Pro') < at('Part 2: Enroll in Microsoft Intune'));
    assert.ok(at(g.whatDisappears[0]!.text.replace(/'/g, '&#39;')) < at('Part 1'));
    assert.ok(at('General → VPN &amp; Device Management') < at('Part 2'));
    assert.ok(at('href="https://apps.apple.com/app/intune-company-portal/id719171358"') > at('Part 2'));
    assert.equal((html.match(/<ol class="steps"/g) ?? []).length, 2);
  });

  it('escapes content: a hostile company note appears as text, never as markup', async () => {
    const en = await get('/guides/citrix/windows?lang=en');
    assert.ok(
      en.html.includes(
        'Call &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ask for &quot;Kim&quot;',
      ),
    );
    const sv = await get('/guides/citrix/windows?lang=sv');
    assert.ok(sv.html.includes('Ring &lt;img src=x onerror=alert(1)&gt; &amp; fråga efter &#39;Kim&#39;'));
    for (const { html } of [en, sv]) {
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /<img/i);
    }
  });

  it('speaks Swedish from ?lang=sv or from Accept-Language, and links to the other languages', async () => {
    const byQuery = await get('/guides/blackberry/android-work-profile?lang=sv');
    assert.match(byQuery.html, /<html lang="sv" dir="ltr">/);
    assert.match(byQuery.html, /Del 1: Lämna BlackBerry UEM/);
    assert.match(
      byQuery.html,
      /href="\?lang=en&amp;ownership=personal" hreflang="en" lang="en" dir="ltr">English</,
    );
    assert.match(
      byQuery.html,
      /href="\?lang=ar&amp;ownership=personal" hreflang="ar" lang="ar" dir="rtl">العربية</,
    );
    const byHeader = await get('/guides/blackberry/android-work-profile', {
      'Accept-Language': 'sv-SE,sv;q=0.9,en;q=0.5',
    });
    assert.equal(byHeader.headers.get('content-language'), 'sv');
    assert.equal(byHeader.html, byQuery.html);
    const explicit = await get('/guides/blackberry/android-work-profile?lang=en', {
      'Accept-Language': 'sv',
    });
    assert.match(explicit.html, /Part 1: Leave BlackBerry UEM/);
  });

  it('shows the company-owned guide with the IT explanation when ownership=corporate', async () => {
    const { status, html } = await get('/guides/workspace-one/macos?ownership=corporate&lang=en');
    assert.equal(status, 200);
    assert.match(html, /Mac \(company-owned device\)/);
    assert.match(html, /IT does this part with you/);
    assert.match(html, /automated device enrollment/);
    assert.match(html, /href="\?lang=en&amp;ownership=personal">Is this device yours/);
  });

  it('answers an unknown vendor or platform with a localized 404 page that lists the guides', async () => {
    const en = await get('/guides/airwatch/ios');
    assert.equal(en.status, 404);
    assert.equal(en.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(en.html, /There is no such guide/);
    assert.equal((en.html.match(/href="\/guides\/[a-z-]+\/[a-z-]+\?lang=en/g) ?? []).length, 60);
    assert.match(en.html, /href="\/guides\/jamf\/macos\?lang=en&amp;ownership=corporate"/);
    const sv = await get('/guides/jamf/blackberry10', { 'Accept-Language': 'sv' });
    assert.equal(sv.status, 404);
    assert.match(sv.html, /Den guiden finns inte/);
    assert.doesNotMatch(sv.html, /blackberry10/, 'the bad value is not echoed');
  });

  it('never echoes what was typed in the URL, even percent-encoded markup', async () => {
    const res = await get('/guides/%3Cscript%3Ealert(1)%3C%2Fscript%3E/ios?utm=%3Cb%3E');
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.html, /<script|alert\(1\)|<b>/);
  });

  it('answers invalid or repeated query values with a 400 page that is not cached', async () => {
    for (const query of ['ownership=stolen', 'lang=pt', 'lang=en&lang=sv']) {
      const res = await get(`/guides/jamf/ios?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(res.html, /That link is not quite right|Länken stämmer inte/);
    }
    const ignored = await get('/guides/jamf/ios?utm_source=mail');
    assert.equal(ignored.status, 200, 'parameters the page does not use are ignored');
  });

  it('serves an index of every guide at /guides, in both languages', async () => {
    const en = await get('/guides');
    assert.equal(en.status, 200);
    assert.equal(en.headers.get('cache-control'), 'public, max-age=3600');
    assert.match(en.html, /Moving to Microsoft Intune: all guides/);
    for (const vendor of [
      'Workspace ONE (AirWatch)',
      'Ivanti (MobileIron)',
      'Jamf Pro',
      'BlackBerry UEM',
      'Other MDM',
    ]) {
      assert.ok(en.html.includes(`>${vendor}</h2>`), vendor);
    }
    const sv = await get('/guides?lang=sv');
    assert.match(sv.html, /Flytten till Microsoft Intune: alla guider/);
    assert.match(sv.html, /Annan MDM-lösning/);
    assert.match(
      sv.html,
      /aria-label="Android med jobbprofil \(privat enhet\): från Ivanti till Microsoft Intune"/,
    );
  });

  it('has no scripts or external assets on any page, only the hashed inline style', async () => {
    for (const path of [
      '/guides',
      '/guides/other/windows?lang=sv',
      '/guides/nope/ios',
      '/guides/ivanti/ipados',
    ]) {
      const { html } = await get(path);
      assert.doesNotMatch(html, /<(script|link|img|iframe|object|embed)\b/i, path);
      // Inside real tags (escaped text has &lt; instead of <): no event handlers, nothing loaded.
      assert.doesNotMatch(html, /<[^>]*\s(on[a-z]+|src)=/i, path);
      const styles = html.match(/<style>[\s\S]*?<\/style>/g) ?? [];
      assert.equal(styles.length, 1);
      assert.doesNotMatch(styles[0]!, /@import|url\(/i);
      assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
      assert.match(html, /@media print/);
    }
  });

  it('serves a guide page in every language with its lang and dir, text from its own files', async () => {
    for (const language of LANGUAGES) {
      const res = await get(`/guides/workspace-one/ios?lang=${language}`);
      assert.equal(res.status, 200, language);
      assert.equal(res.headers.get('content-language'), language);
      const dir = language === 'ar' ? 'rtl' : 'ltr';
      assert.match(res.html, new RegExp(`<html lang="${language}" dir="${dir}">`));
      const g = guidance.unenroll('workspace-one', 'ios', 'personal', language);
      assert.ok(res.html.includes(escapeHtml(g.steps[0]!)), `${language}: the steps are in the language`);
      assert.ok(res.html.includes(escapeHtml(translator(language)('guide.beforeTitle'))), language);
    }
    const ar = await get('/guides/workspace-one/ios', { 'Accept-Language': 'ar-SA,ar;q=0.9' });
    assert.match(ar.html, /<html lang="ar" dir="rtl">/);
    assert.match(ar.html, /قبل أن تبدأ/);
  });

  it('answers HEAD with the same status and headers', async () => {
    const res = await fetch(`${base}/guides/jamf/macos`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal(await res.text(), '');
  });
});

describe('guide pages: Accept-Language', () => {
  it('picks the first language with files by preference, falling back to English', () => {
    assert.equal(languageFromHeader('sv-SE,sv;q=0.9,en-US;q=0.8'), 'sv');
    assert.equal(languageFromHeader('de-DE,en;q=0.5,sv;q=0.4'), 'de');
    assert.equal(languageFromHeader('pt-BR,en;q=0.5,sv;q=0.4'), 'en');
    assert.equal(languageFromHeader('en;q=0.2, sv;q=0.8'), 'sv');
    assert.equal(languageFromHeader('sv;q=0, en'), 'en');
    assert.equal(languageFromHeader('fi-FI'), 'fi');
    assert.equal(languageFromHeader('no-NO'), 'nb');
    assert.equal(languageFromHeader('ar-SA'), 'ar');
    assert.equal(languageFromHeader(undefined), 'en');
    assert.equal(languageFromHeader('svenska'), 'en', 'only real tags count');
  });
});
