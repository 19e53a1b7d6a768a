import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

const PATTERN = /\bps\b[^|]*\|[\s\S]*\bgrep\b[\s\S]*\bawk\b\s*['"]?\{\s*print\s+\$1\s*\}[\s\S]*\bkill\b/;

export const STOP306: YamlRule = {
  meta: {
    id: 'STOP306', name: 'prestop-ps-grep-kill', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'The copied `ps -ef | grep … | awk \'{print $1}\' | xargs kill` preStop: on procps images column 1 is the user, not the PID.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'exec' || !ps.text || !PATTERN.test(ps.text)) continue;
      if (chain.image.family === 'busybox' || chain.image.family === 'none') continue; // busybox ps prints the PID first; no-shell images: STOP305
      out.push({
        range: ps.range, severity: chain.image.family === 'unknown' ? 'info' : undefined,
        message: `This preStop picks column 1 of \`ps -ef\`${chain.image.family === 'unknown' ? ', which is the PID only on busybox images' : `, which on this ${chain.image.distro} image (procps) is the user name, not the PID`}: \`kill\` gets a user name and fails, so nothing is signalled. Fix the app's signal handling (exec), or use \`pkill -TERM -f …\` / \`kill -TERM 1\`.`,
      });
    }
    return out;
  },
};
