import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

const PATTERN = /\bps\b[^|]*\|[\s\S]*\bgrep\b[\s\S]*\bawk\b\s*['"]?\{\s*print\s+\$1\s*\}[\s\S]*\bkill\b/;
/** `ps -o pid,…` / `ps -eo pid,…` / `ps axo pid,…`: the PID is column 1 there, on procps too. */
const PID_FIRST = /\bps\b[^|]*?(?:\s-?[a-zA-Z]*o\s*|\s--format[=\s]\s*)['"]?pid\b/;

/** The process the hook looks for: the first `grep WORD` that is not `grep -v`. */
function target(text: string): string | undefined {
  for (const m of text.matchAll(/\bgrep\s+(-[a-zA-Z]+\s+)*(['"]?)([\w./:-]+)\2/g)) {
    if (m[1] && /v/.test(m[1])) continue;
    return m[3];
  }
  return undefined;
}

export const STOP306: YamlRule = {
  meta: {
    id: 'STOP306', name: 'prestop-ps-grep-kill', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'The copied `ps -ef | grep … | awk \'{print $1}\' | xargs kill` preStop: on procps images column 1 is the user, not the PID.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'exec' || !ps.text || !PATTERN.test(ps.text) || PID_FIRST.test(ps.text)) continue;
      if (chain.image.family === 'busybox' || chain.image.family === 'none') continue; // busybox ps prints the PID first; no-shell images: STOP305
      const name = target(ps.text) ?? 'APP';
      const S = chain.policy.signal;
      out.push({
        range: ps.range, severity: chain.image.family === 'unknown' ? 'info' : undefined,
        message: `This preStop picks column 1 of \`ps -ef\`${chain.image.family === 'unknown' ? ', which is the PID only on busybox images; with procps (Debian, Ubuntu, RHEL) it is the user name' : `, which on this ${chain.image.distro} image (procps) is the user name, not the PID`}: \`kill\` gets a user name, fails, and nothing is signalled (where procps is not installed, as on most slim images, \`ps\` is missing altogether). Usually no preStop kill is needed at all: the kubelet sends ${S} itself as soon as the hook ends, so make that reach the app (\`exec\` in the start command or script). If the hook must signal the app, take the PID from a column that holds it — \`ps -eo pid,args | grep ${name} | grep -v grep | awk '{print $1}'\` — or use \`pkill -TERM -f ${name}\` run without a shell (\`command: ["pkill", "-TERM", "-f", "${name}"]\`), since under \`sh -c\` the pattern also matches the hook's own shell.`,
      });
    }
    return out;
  },
};
