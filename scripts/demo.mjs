// `npm run demo`: builds, then runs the CLI over the bundled examples/ — findings, then a simulated
// stop of a broken Dockerfile and of its fixed twin. Shows; never gates (exits 0 when it ran).
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args, label) => {
  if (label) console.log(`\n$ ${label}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status === null || r.status === 2) {
    console.error(`demo: "${label ?? args.join(' ')}" failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
};
run([join(root, 'scripts', 'build.mjs')]);
run(['dist/cli.js', 'lint', 'examples', '--fail-on', 'never'], 'stopcheck lint examples');
run(['dist/cli.js', 'simulate', 'examples/python-and-list/Dockerfile'], 'stopcheck simulate examples/python-and-list/Dockerfile');
run(['dist/cli.js', 'simulate', 'examples/python-and-list/Dockerfile.fixed'], 'stopcheck simulate examples/python-and-list/Dockerfile.fixed');
