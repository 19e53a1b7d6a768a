import type { DockerfileRule, Report } from './rule';

export const STOP104: DockerfileRule = {
  meta: {
    id: 'STOP104', name: 'shell-entrypoint-drops-cmd', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'A shell-form ENTRYPOINT ignores CMD and `docker run` arguments.',
  },
  check({ model, chains }) {
    const out: Report[] = [];
    const seen = new Set<unknown>();
    for (const chain of chains) {
      const { entrypoint, cmd } = chain.stage;
      if (!entrypoint || entrypoint.form !== 'shell' || !cmd || seen.has(cmd)) continue;
      seen.add(cmd);
      const epLine = entrypoint.instruction.getRange().start.line + 1;
      out.push({
        range: cmd.range,
        message: `This CMD is never run: the shell-form ENTRYPOINT on line ${epLine} runs \`/bin/sh -c\` with its own text only, ignoring CMD and \`docker run\` arguments. Write the ENTRYPOINT in exec form (JSON) so CMD is passed to it.`,
        related: [{ file: model.file, range: entrypoint.range, message: 'shell-form ENTRYPOINT that discards CMD' }],
      });
    }
    return out;
  },
};
