/**
 * The import rules of the code base (checked by `npm run lint`). Layers point one way:
 *   index/runtime → server/app → workers → features/exports → cards → domain
 *   features → ports ← integrations; verbs, shared, i18n and domain import nothing above them.
 * A rule names what a folder must NOT import; every cycle, type-only ones included, is an error.
 */
const SRC = '^src/';
const NOT_DEV = '^src/(?!dev/)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules import each other (type-only imports count): one of them must move down a layer.',
      from: { path: SRC },
      to: { circular: true },
    },
    {
      name: 'production-never-imports-dev',
      severity: 'error',
      comment: 'src/dev holds simulators and the local launcher; production code never loads them.',
      from: { path: NOT_DEV },
      to: { path: '^src/dev/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'src/domain is pure logic: it imports only src/domain (pass configuration in as plain values).',
      from: { path: '^src/domain/' },
      to: { path: SRC, pathNot: '^src/domain/' },
    },
    {
      name: 'leaf-modules-import-nothing',
      severity: 'error',
      comment:
        'Verbs, shared helpers and the language files are reached from every layer and import nothing of ours.',
      from: { path: '^src/(verbs|shared|i18n)/' },
      to: { path: SRC, pathNot: '^src/$1/' },
    },
    {
      name: 'ports-know-only-the-domain',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: SRC, pathNot: '^src/(ports|domain)/' },
    },
    {
      name: 'config-knows-only-the-domain',
      severity: 'error',
      from: { path: '^src/config' },
      to: { path: SRC, pathNot: '^src/(config|domain)' },
    },
    {
      name: 'cards-render-only',
      severity: 'error',
      comment:
        'Cards turn view models into Adaptive Cards: no features, workers, ports, integrations or config.',
      from: { path: '^src/cards/' },
      to: { path: '^src/(features|workers|integrations|ports|exports|config|deps|runtime|server|app)' },
    },
    {
      name: 'guidance-is-content',
      severity: 'error',
      from: { path: '^src/guidance/' },
      to: { path: '^src/(features|workers|integrations|ports|exports|cards|config|deps|runtime|app)' },
    },
    {
      name: 'features-never-import-workers-or-the-root',
      severity: 'error',
      comment:
        'Workers schedule and call feature services, never the reverse; features reach storage and Graph only through ports.',
      from: { path: '^src/(features|exports)/' },
      to: {
        path: '^src/(workers|runtime|server|app|index)|^src/integrations/',
        pathNot: '^src/integrations/bot/teams-context',
      },
    },
    {
      name: 'workers-use-ports',
      severity: 'error',
      comment: 'Workers reach Azure Storage, Graph and the Bot Connector through ports, wired in runtime.ts.',
      from: { path: '^src/workers/' },
      to: { path: '^src/(integrations|runtime|server|app|index)' },
    },
    {
      name: 'integrations-are-edges',
      severity: 'error',
      comment: 'Integrations implement ports; they never call features, workers or cards.',
      from: { path: '^src/integrations/' },
      to: { path: '^src/(features|workers|cards|exports|runtime|server|app|index)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.json$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
