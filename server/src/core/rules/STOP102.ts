import type { DockerfileRule, Report } from './rule';

export const STOP102: DockerfileRule = {
  meta: {
    id: 'STOP102', name: 'no-shell-in-image', family: 'dockerfile', defaultSeverity: 'error', fixable: false,
    summary: 'A shell-form command, or an explicit shell, on an image that has no shell (scratch, distroless): the container cannot start.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (!chain.failsToStart || chain.failsToStartKind !== 'no-shell') continue;
      const first = chain.processes[0];
      const origin = chain.failsToStartAt ?? first?.origin ?? (chain.stage?.cmd ?? chain.stage?.entrypoint)?.words[0]?.origin;
      if (!origin) continue;
      // In a manifest or Compose file the command is a `command:`/`args:` list, not a CMD.
      const inSpec = chain.policy.platform !== 'docker' && origin.file === chain.file;
      const what = chain.missingShell ? `This runs \`${chain.missingShell}\`` : first?.via === 'shell-form' || !first ? 'Shell form runs `/bin/sh -c …`' : `This runs \`${first.argv[0]}\``;
      const fix = inSpec ? 'Name the program itself in the list (`command: ["/app", "--flag"]`), without a shell.' : 'Use exec form with the binary\'s path.';
      out.push({
        file: origin.file, range: origin.range,
        message: `${what}, but ${chain.image.reason} (${chain.image.ref}): the container fails to start with "no such file or directory". ${fix}`,
      });
    }
    return out;
  },
};
