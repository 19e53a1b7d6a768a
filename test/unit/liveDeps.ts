// Debian packages the live runs need (bubblewrap for the sandbox, the shells and inits of the
// SEMANTICS.md rows): installed when missing, and only as root.
import { spawnSync } from 'child_process';

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Undefined when everything is there (or was installed); otherwise why not. */
export function installLiveDeps(): string | undefined {
  const want: Array<[string, string]> = [['bwrap', 'bubblewrap'], ['busybox', 'busybox'], ['dash', 'dash'], ['tini', 'tini'], ['dumb-init', 'dumb-init']];
  const missing = want.filter(([cmd]) => !have(cmd)).map(([, pkg]) => pkg);
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0 || !have('apt-get')) return `missing ${missing.join(', ')} (not root, or no apt-get, so not installed): sudo apt-get install -y ${missing.join(' ')}`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, stdio: 'ignore', timeout: 180_000 }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update'], { env, stdio: 'ignore', timeout: 180_000 });
    if (!install()) return `apt-get install ${missing.join(' ')} failed`;
  }
  return undefined;
}
