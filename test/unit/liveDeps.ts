// Debian packages the live runs need (bubblewrap for the sandbox, the shells and inits of the
// SEMANTICS.md rows): installed when missing, and only as root.
import { spawnSync } from 'child_process';
import { liveAvailable } from '../../server/src/core/simulate/live';
import { pidsMentioning } from '../../server/src/core/simulate/liveProc';

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

/**
 * Why the live tests of a file cannot run here, or false: not Linux, no PID namespace, or Debian
 * packages missing that could not be installed (not root).
 */
export async function liveSkipReason(): Promise<string | false> {
  if (process.platform !== 'linux') return 'live runs need Linux';
  const problem = installLiveDeps();
  const avail = await liveAvailable();
  if (avail.isolation === 'process-group') return `no PID namespace available: ${avail.detail}`;
  return problem ?? false;
}

/** After a suite: SIGKILLs and returns every process still marked with one of `runIds`. */
export async function leftoverRuns(runIds: string[], waitMs = 2000): Promise<number[]> {
  await new Promise((r) => setTimeout(r, waitMs));
  const left = runIds.flatMap((id) => pidsMentioning(id));
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return left;
}
