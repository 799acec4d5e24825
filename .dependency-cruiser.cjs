/**
 * The house's dependency rules (issue 20; docs/architecture.md): surfaces → core ← adapters,
 * app on top of all, nothing in production reaching dev-only code or tests, no circles.
 * `npx depcruise lib functions scripts` prints every violating arrow; test/unit/dependency-rules.test.ts
 * runs the same cruise in `npm test`.
 *
 *   functions/   → lib/app, surfaces, core, http, store (the handlers: composition per function)
 *   lib/app      → everything below (composition root)
 *   lib/apillon, lib/quantum, lib/gateway (surfaces) → core, http, cid
 *   lib/store    (adapters) → core (its ports and model)
 *   lib/http     (the middy toolkit) → core's access rules and read ports
 *   lib/core     → cid, errors, log, config only
 */
const SURFACES = '^lib/(apillon|quantum|gateway)/';
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-surface',
      comment: 'lib/core knows no surface: a rule both surfaces share belongs in the core; a surface detail stays in its room.',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { path: SURFACES },
    },
    {
      name: 'core-imports-no-adapter',
      comment: 'lib/core imports no adapter, composition, HTTP or dev-only code: it defines a port (lib/core/ports/<name>.ts) and its own errors.',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { path: '^lib/(store|app|local|http)/' },
    },
    {
      name: 'surface-imports-no-store',
      comment: 'A surface reaches storage through the core\'s ports, never an adapter (lib/store) or dev-only code (lib/local).',
      severity: 'error',
      from: { path: SURFACES },
      to: { path: '^lib/(store|local|app)/' },
    },
    {
      name: 'surface-imports-no-other-surface',
      comment: 'Each surface is a room of its own: what two surfaces share belongs in the core (or lib/http).',
      severity: 'error',
      from: { path: '^lib/(apillon|quantum|gateway)/' },
      to: { path: SURFACES, pathNot: '^lib/$1/' },
    },
    {
      name: 'store-imports-no-surface',
      comment:
        'An adapter implements the core\'s ports; it knows no surface, no HTTP stack and no composition root. ' +
        'Allowed: lib/http/headers.ts, pure RFC 6266 / media-type formatting with no imports (S3 presigned GETs carry those headers).',
      severity: 'error',
      from: { path: '^lib/store/' },
      to: { path: '^lib/(apillon|quantum|gateway|http|app)/', pathNot: '^lib/http/headers\\.ts$' },
    },
    {
      name: 'http-knows-no-wiring',
      comment: 'lib/http is the middy toolkit: services come by injection from lib/app (routeWith), never by import.',
      severity: 'error',
      from: { path: '^lib/http/' },
      to: { path: '^lib/(app|store|local|apillon|quantum|gateway)/' },
    },
    {
      name: 'production-imports-no-dev-code',
      comment: 'lib/local (emulators, the local event bridge) and test/ are dev-only: no production code imports them.',
      severity: 'error',
      from: { path: '^(lib|functions)/', pathNot: '^lib/local/' },
      to: { path: '^(lib/local|test|bench|scripts)/' },
    },
    {
      name: 'no-circular',
      comment: 'No circles: files that import each other in a loop cannot be read, tested or bundled one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^\\.build/|^\\.data/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
