import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.vscode-test/**',
      'test-results/**',
      'demo/**',
      '**/assembly/**',
      '**/*.wasm.ts',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // src/core must stay pure: no vscode, no Node built-ins.
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'core/webview code must not import vscode' }],
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'os',
                'worker_threads',
                'child_process',
                'crypto',
                'util',
                'stream',
                'zlib',
                'buffer',
              ],
              message: 'core/webview code must not use Node built-ins',
            },
            {
              group: ['**/extension/**', '**/worker/**', '**/cli/**'],
              message: 'dependencies point inward',
            },
          ],
        },
      ],
    },
  },
);
