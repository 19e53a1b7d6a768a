import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

export const STOP401: YamlRule = {
  meta: {
    id: 'STOP401', name: 'compose-command-shell-operators', family: 'compose', defaultSeverity: 'error', fixable: false,
    summary: 'A string `command:`/`entrypoint:` with `&&`, `;`, `|`, `<` or `>`: Compose splits it without a shell and silently drops everything from the operator on.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      for (const t of chain.truncated ?? []) {
        out.push({
          range: t.at.range,
          message: `Compose splits a string ${t.key} into words without a shell and stops at the first unquoted shell operator: \`${t.dropped.length > 50 ? t.dropped.slice(0, 47) + '…' : t.dropped}\` is silently dropped and never runs. Use a list (["sh", "-c", "… && exec app"]) if you need the shell, or a start script that ends with exec.`,
        });
      }
    }
    return out;
  },
};
