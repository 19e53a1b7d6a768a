// Bundles the VS Code client, the language server and the CLI with esbuild, and copies the
// tree-sitter wasm files beside them (the shell parser loads them from its own folder).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production') || process.env.CI === 'true';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

mkdirSync(join(root, 'dist'), { recursive: true });
const common = {
  bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: true, minify: production,
  logLevel: 'warning', define: { STOPCHECK_VERSION: JSON.stringify(pkg.version) }, absWorkingDir: root,
};
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
]);
copyFileSync(join(root, 'node_modules', 'web-tree-sitter', 'tree-sitter.wasm'), join(root, 'dist', 'tree-sitter.wasm'));
copyFileSync(join(root, 'node_modules', 'tree-sitter-bash', 'tree-sitter-bash.wasm'), join(root, 'dist', 'tree-sitter-bash.wasm'));
copyFileSync(join(root, 'node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm'), join(root, 'dist', 'tree-sitter-python.wasm'));
console.log(`built dist/ (client, server, cli${production ? ', minified' : ''})`);
