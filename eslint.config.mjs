// Lint rules: typescript-eslint's recommended type-aware set, plus the house rules that keep the
// public surface honest (no `any`, no floating promises, no focused or skipped specs, no global fake clock).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/**', 'node_modules/**', '.tmp/**'] },
  // The Firebase suite's types come from its own install: `npm run test:firebase` lints it after that.
  ...(process.env.LINT_FIREBASE_SUITE ? [] : [{ ignores: ['spec/firebase/**'] }]),
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-globals': ['error', { name: 'fit', message: 'focused spec' }, { name: 'fdescribe', message: 'focused spec' }, { name: 'xit', message: 'skipped spec' }, { name: 'xdescribe', message: 'skipped spec' }],
      // The fake clock replaces setTimeout and clearTimeout for the whole process: a clear that
      // Node's own fetch (undici) makes meanwhile is lost, and its timer fires on a collected parser.
      'no-restricted-properties': ['error', { object: 'jasmine', property: 'clock', message: 'give the code a scheduler (VirtualTimeScheduler, TestScheduler) instead' }],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
