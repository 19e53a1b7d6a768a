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
        message: `This preStop kills column 1 of \`ps -ef\`, which ${chain.image.family === 'unknown' ? 'with procps (Debian, Ubuntu, RHEL) is the user name, not the PID (only busybox ps prints the PID there)' : `on this ${chain.image.distro} image (procps) is the user name, not the PID`}: \`kill\` fails and nothing is signalled (slim images without procps have no \`ps\` at all). No preStop kill is needed at all: the kubelet sends ${S} as soon as the hook ends, so make that reach the app (\`exec\` in the start command or script). To signal from the hook anyway (procps needed), run \`pkill -TERM -f ${name}\` without a shell (\`command: ["pkill", "-TERM", "-f", "${name}"]\`; under \`sh -c\` the pattern matches the hook's own shell too), or take the PID from \`ps -eo pid,args | grep ${name} | grep -v grep | awk '{print $1}'\`.`,
      });
    }
    return out;
  },
};
