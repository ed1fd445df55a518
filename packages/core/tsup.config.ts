import { defineConfig } from 'tsup';

// `npm run build` adds type declarations (--dts); `build:js` (run by the root prepare script) is JavaScript only.
export default defineConfig({
  entry: ['src/index.ts', 'src/testing/index.ts', 'src/schemas.ts'],
  format: 'esm',
  target: 'node20',
  clean: true,
});
