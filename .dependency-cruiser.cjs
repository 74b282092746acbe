/** Import rules from ARCHITECTURE.md, checked by `npm test` (npm run lint:deps). */
module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "core/ imports nothing outside core/ (zod is allowed: schemas are the types). No I/O, no vendor libraries.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { pathNot: ["^src/core/", "node_modules/zod/"] },
    },
    {
      name: "grammy-has-one-home",
      comment: "Tests and their fakes (test/, reached from the benchmarks) may speak grammY's types.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/channels/telegram/" },
      to: { path: "node_modules/(grammy|@grammyjs)/" },
    },
    {
      name: "postgres-has-one-home",
      severity: "error",
      from: { pathNot: "^src/adapters/postgres/" },
      to: { path: "node_modules/(pg|pg-boss|@electric-sql)/" },
    },
    {
      name: "openai-has-one-home",
      severity: "error",
      from: { pathNot: "^src/adapters/llm/" },
      to: { path: "node_modules/openai/" },
    },
    {
      name: "channels-do-not-import-each-other",
      severity: "error",
      from: { path: "^src/channels/([^/]+)/" },
      to: { path: "^src/channels/", pathNot: "^src/channels/$1/" },
    },
    {
      name: "adapters-do-not-import-each-other",
      severity: "error",
      from: { path: "^src/adapters/([^/]+)/" },
      to: { path: "^src/adapters/", pathNot: "^src/adapters/$1/" },
    },
    {
      name: "server-and-channels-receive-adapters",
      comment: "The HTTP app and channels get adapters as arguments from main.ts; they never import them.",
      severity: "error",
      from: { path: "^src/(server|channels)/" },
      to: { path: "^src/(adapters|cli)/" },
    },
    {
      name: "only-main-and-cli-read-config",
      severity: "error",
      from: { pathNot: "^src/(main\\.ts|cli/)" },
      to: { path: "^src/config\\.ts$" },
    },
    {
      name: "nothing-imports-main-or-cli",
      severity: "error",
      from: { pathNot: "^src/(main\\.ts|cli/)" },
      to: { path: "^src/(main\\.ts|cli/)" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
