import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { versionAtLeast } from './yamlRule';

/**
 * Programs that come with a shell or the base system's tools (coreutils, procps, util-linux, findutils,
 * grep, sed, awk, busybox): what an image without a shell does not have. A hook that runs a binary of
 * the app's own (`/app/bin/drain`) is not judged: the image may well ship it.
 */
const SYSTEM_TOOLS = new Set([
  'sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox',
  'sleep', 'kill', 'pkill', 'killall', 'pgrep', 'ps', 'pidof', 'timeout', 'nohup', 'env', 'true', 'false', 'test', '[',
  'echo', 'printf', 'cat', 'grep', 'egrep', 'fgrep', 'sed', 'awk', 'gawk', 'mawk', 'xargs', 'head', 'tail', 'cut', 'tr',
  'touch', 'rm', 'mv', 'cp', 'ls', 'date', 'wc', 'sort',
]);

export const STOP305: YamlRule = {
  meta: {
    id: 'STOP305', name: 'prestop-binary-missing', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'An exec preStop hook that runs a shell or a system tool (`sh`, `sleep`, `kill`, `ps` …) on an image without them (distroless, scratch): the hook fails and its delay is lost.',
  },
  check({ chains, config }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'exec' || !ps.command?.length) continue;
      if (chain.image.family !== 'none') continue;
      const bin = ps.command[0].value;
      const name = bin.split('/').pop() ?? bin;
      if (!SYSTEM_TOOLS.has(name)) continue;
      // An absolute path outside the system folders is a binary the image ships itself.
      if (bin.startsWith('/') && !/^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(bin) && !/^\/busybox\//.test(bin)) continue;
      const sleepAction = versionAtLeast(config.kubernetesVersion, 1, 30);
      const isSleep = name === 'sleep' || ps.seconds !== undefined;
      const instead = sleepAction
        ? (isSleep ? 'Use the kubelet\'s sleep action, which needs nothing in the image: `preStop: {sleep: {seconds: N}}`.' : 'Run a binary the image ships, or, if the hook is only there to wait, use the kubelet\'s sleep action: `preStop: {sleep: {seconds: N}}`.')
        : 'Ship the binary in the image, or upgrade to Kubernetes 1.30+ and use `preStop: {sleep: {seconds: N}}`.';
      out.push({
        range: ps.range,
        message: `${chain.image.ref} has no shell or system tools (${chain.image.reason}), so \`${bin}\` cannot run: the preStop hook fails at once and the stop signal follows immediately — the delay it was meant to add is lost. ${instead}`,
      });
    }
    return out;
  },
};
