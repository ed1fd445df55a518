// `npm run bench -- NAME` runs bench/NAME.ts; without a name it lists them.
import { readdirSync } from 'node:fs';

const names = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`usage: npm run bench -- <${names.join('|')}>`);
  process.exit(name ? 2 : 0);
}
await import(`./${name}.ts`);
