// @ts-check
/**
 * Lint for the whole workspace: typescript-eslint's type-aware rules, eslint-plugin-vue for the web
 * app, Prettier's config last (formatting is Prettier's job, `pnpm format`), and the layering of
 * the code as rules that fail instead of drift (see "How it is built" in the README):
 *
 * - core knows nothing of HTTP, tRPC or Vue, and imports no server or web code;
 * - the web app imports the server's types only (and its `codes` lists, which load nothing else);
 * - no package reaches into another one's `src/` or `test/`: it goes through its `exports`;
 * - in core's archive engine, imports go downward only: `format` uses none of the flows, `create`
 *   and `read` use `format` and never each other, `restore` may use all three.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Another package's private folders, by package name or by a relative path that climbs into it. */
const PRIVATE_PATHS = {
  group: [
    '@evidence-locker/*/src',
    '@evidence-locker/*/src/**',
    '@evidence-locker/*/test',
    '@evidence-locker/*/test/**',
    '**/packages/*/src/**',
    '**/packages/*/test/**',
    '**/apps/*/src/**',
    '**/apps/*/test/**',
    '**/reliability/src/**',
    '**/reliability/test/**',
    '**/e2e/support/**',
  ],
  message: "Go through the package's `exports` (e.g. '@evidence-locker/core/testing'), never its src/ or test/.",
};

/** What core may not know of: the server, the web app, HTTP, tRPC and Vue. */
const NOT_IN_CORE = {
  group: [
    '@evidence-locker/server',
    '@evidence-locker/server/**',
    '@evidence-locker/web',
    '@evidence-locker/web/**',
    'fastify',
    '@fastify/*',
    '@trpc/*',
    'vue',
    'vue-*',
    '@vue/*',
  ],
  message: 'packages/core is the engine: no server, web, HTTP, tRPC or Vue code in it.',
};

/** An archive flow that `from` may not import (relative specifiers only: the flows are folders of core). */
function flowBan(flows, from) {
  return {
    group: flows.flatMap((flow) => [`./${flow}/**`, `../${flow}/**`, `../../archive/${flow}/**`]),
    message: `archive/${from} may not import ${flows.map((flow) => `archive/${flow}`).join(' or ')}: imports go downward (restore → create, read → format).`,
  };
}

/** `no-restricted-imports` with these pattern groups (a later config replaces a rule's options, so each carries all of its own). */
function restrictImports(...patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'apps/server/.dist-build*/**',
      'e2e/test-results/**',
      'e2e/.work/**',
      '.bench-work/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.vue'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      // Fastify plugins, job specs and test doubles are async to fit an interface, not to await.
      '@typescript-eslint/require-await': 'off',
      ...restrictImports(PRIVATE_PATHS),
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['apps/web/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The web app gets the server's types, never its code; `codes` is the one runtime export it may use.
    files: ['apps/web/**/*.ts', 'apps/web/**/*.vue'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [PRIVATE_PATHS],
          paths: [
            { name: '@evidence-locker/server', allowTypeImports: true, message: 'The web app imports only types from the server.' },
            { name: '@evidence-locker/server/client', allowTypeImports: true, message: 'The web app imports only types from the server.' },
            {
              name: '@evidence-locker/core',
              allowTypeImports: true,
              message: 'The web app imports only types (and zod schemas through the server) from core.',
            },
          ],
        },
      ],
    },
  },
  { files: ['packages/core/**'], rules: restrictImports(PRIVATE_PATHS, NOT_IN_CORE) },
  {
    files: ['packages/core/src/archive/format/**'],
    rules: restrictImports(PRIVATE_PATHS, NOT_IN_CORE, flowBan(['create', 'read', 'restore'], 'format')),
  },
  {
    files: ['packages/core/src/archive/create/**'],
    rules: restrictImports(PRIVATE_PATHS, NOT_IN_CORE, flowBan(['read', 'restore'], 'create')),
  },
  {
    files: ['packages/core/src/archive/read/**'],
    rules: restrictImports(PRIVATE_PATHS, NOT_IN_CORE, flowBan(['create', 'restore'], 'read')),
  },
  {
    // Tests read JSON answers and mock shapes that are `any` by nature; the rest of the type-aware rules still apply.
    files: ['**/*.test.ts', '**/test/**', '**/support/**', 'e2e/**', 'reliability/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
