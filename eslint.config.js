// @ts-check
import tseslint from 'typescript-eslint';

const libNames = ['contracts', 'config', 'nats', 'observability', 'openwebif'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      '.cache/**',
      'native/target/**',
      'native/fuzz/**',
      'native/crates/**',
      'native/index.d.ts',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Imports flow one way: apps -> libs; contracts imports nothing internal; libs never import apps.
  {
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@e2gate/*', '**/apps/**', '**/libs/**'],
              message: 'contracts imports nothing internal',
            },
          ],
        },
      ],
    },
  },
  ...libNames
    .filter((lib) => lib !== 'contracts')
    .map((lib) => ({
      files: [`libs/${lib}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['**/apps/**', '@e2gate/' + lib],
                message: 'libs never import apps or themselves by alias',
              },
              {
                group: ['../../*/src/**', '../../../libs/**'],
                message: 'import other libs through @e2gate/<lib>',
              },
            ],
          },
        ],
      },
    })),
  {
    files: ['apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/**', '../../*/src/**'],
              message: 'import libs through @e2gate/<lib>, never another app',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
