import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (README "Layout", docs/DESIGN.md "Layers"): each imports only from the ones before it.
 *
 *   contracts  ←  functions (lib/ first)  ←  ops  ←  infra  ←  cli
 *
 * infra/topology.ts is declaration data that imports nothing of ours: every layer from functions
 * on reads it. mocks/ stand in for the external systems and import contracts only; test/ may import
 * anything. A wrong-way import fails `npm run lint` through `no-restricted-imports`, by alias
 * (`#cli/…`) and by relative path (`../../cli/…`; no folder inside a layer is named like a layer).
 */
const up = (folders) => `^(?:\\.\\./)+(?:${folders.join('|')})(?:/|$)`;
const restrict = (...patterns) => ['error', { patterns }];

const noCli = [
  { regex: '^#cli/', message: 'Only cli/ imports the CLI (the layers: contracts ← functions ← ops ← infra ← cli).' },
  { regex: up(['cli']), message: 'Only cli/ imports the CLI (the layers: contracts ← functions ← ops ← infra ← cli).' },
];
const noMocks = [
  { regex: '^#mocks/', message: 'The mocks stand in for external systems; only the embedded runtime, the CLI and the tests start them.' },
  { regex: up(['mocks']), message: 'The mocks stand in for external systems; only the embedded runtime, the CLI and the tests start them.' },
];
const noOps = [
  { regex: '^#ops/', message: 'ops/ (operator tooling) sits above functions: a function does not import it.' },
  { regex: up(['ops']), message: 'ops/ (operator tooling) sits above functions: a function does not import it.' },
];
/** infra/ but its declaration data, infra/topology.ts. */
const noInfraButTopology = [
  { regex: '^#infra/(?!topology$)', message: 'Of infra/, only the topology (declaration data) is read below infra.' },
  { regex: `${up(['infra'])}(?!topology(?:\\.ts)?$)`, message: 'Of infra/, only the topology (declaration data) is read below infra.' },
];
const noFunctions = [
  { regex: '^#(?:functions|lib)/', message: 'contracts/ and infra/topology.ts are the bottom layer: they import no function code.' },
  { regex: up(['functions']), message: 'contracts/ and infra/topology.ts are the bottom layer: they import no function code.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', '**/node_modules/', 'cdk.out/', '.koto-hub/', 'dist/', '.build/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  // The layers. For a file several entries match, the last one's options hold, so each repeats what it inherits.
  {
    files: ['contracts/**', 'infra/topology.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ...noFunctions,
        { regex: '^#(?:infra|ops)/', message: 'contracts/ and infra/topology.ts are the bottom layer: they import no infra or ops code.' },
        { regex: up(['infra', 'ops', 'test']), message: 'contracts/ and infra/topology.ts are the bottom layer: they import no infra, ops or test code.' },
        ...noMocks,
        ...noCli,
      ),
    },
  },
  {
    files: ['functions/**'],
    rules: { 'no-restricted-imports': restrict(...noInfraButTopology, ...noOps, ...noMocks, ...noCli) },
  },
  {
    files: ['functions/lib/**'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: '^#functions/', message: 'functions/lib/ is shared by every function and knows none of them (no outreach module either): inject what a domain decides.' },
        { regex: '(?:^|/)outreach(?:-[a-z-]+)?(?:/|$)', message: 'functions/lib/ does not import an outreach module: inject what the outreach domain decides.' },
        ...noInfraButTopology,
        ...noOps,
        ...noMocks,
        ...noCli,
      ),
    },
  },
  {
    files: ['mocks/**'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: '^#(?:functions|lib|infra|ops)/', message: 'The mocks stand in for external systems: they import contracts only, never the hub.' },
        { regex: up(['functions', 'infra', 'ops']), message: 'The mocks stand in for external systems: they import contracts only, never the hub.' },
        ...noCli,
      ),
    },
  },
  {
    files: ['ops/**'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: '^#functions/', message: 'ops/ reads the hub through functions/lib/ and the topology, not through a function.' },
        { regex: '^(?:\\.\\./)+functions/(?!lib/)', message: 'ops/ reads the hub through functions/lib/ and the topology, not through a function.' },
        ...noInfraButTopology,
        ...noMocks,
        ...noCli,
      ),
    },
  },
  {
    files: ['infra/**'],
    ignores: ['infra/topology.ts'],
    rules: { 'no-restricted-imports': restrict(...noCli) },
  },
  {
    files: ['infra/cdk/**'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: '^#(?:ops|mocks)/', message: 'The AWS app deploys the functions; operator tooling and mocks are not part of it.' },
        { regex: up(['ops', 'mocks']), message: 'The AWS app deploys the functions; operator tooling and mocks are not part of it.' },
        ...noCli,
      ),
    },
  },
  // An example is what a vendor copies: it has only what a vendor has (its certificate files, the
  // hub's address, its webhook secret) and npm packages, never the hub's own code.
  {
    files: ['examples/**'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: '^#', message: 'An example uses only what a vendor has: no module of the hub (#contracts, #functions, …).' },
        { regex: '^\\.\\./', message: 'An example uses only what a vendor has: nothing outside its own folder.' },
      ),
    },
  },
  // The ops page's script: a classic browser script (no modules, no build step) that page.ts inlines.
  {
    files: ['infra/local/ops-page/ops-page.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        location: 'readonly',
        history: 'readonly',
        fetch: 'readonly',
        Node: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        process: 'off', // given to every other .js file above; there is none in a browser
      },
    },
    rules: { strict: ['error', 'global'] },
  },
);
