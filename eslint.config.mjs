// Lint rules: typescript-eslint's recommended type-aware set, plus the house rules that keep the
// public surface honest (no `any`, no floating promises, no focused or skipped specs).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/**', 'node_modules/**', '.tmp/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-globals': ['error', { name: 'fit', message: 'focused spec' }, { name: 'fdescribe', message: 'focused spec' }, { name: 'xit', message: 'skipped spec' }, { name: 'xdescribe', message: 'skipped spec' }],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
