import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { insertYamlKey, replaceValue } from '../fixes';

export const STOP408: YamlRule = {
  meta: {
    id: 'STOP408', name: 'compose-grace-period-invalid', family: 'compose', defaultSeverity: 'error', fixable: true,
    summary: '`stop_grace_period` that is not a duration Compose accepts (`30` without a unit, `1d`): `docker compose` refuses the file.',
  },
  check({ file, model }) {
    const out: Report[] = [];
    for (const s of model.services) {
      const g = s.stopGrace;
      if (!g?.invalid) continue;
      const t = g.raw.trim();
      const bare = /^\d+(\.\d+)?$/.test(t);
      const want = bare ? `${t}s` : undefined;
      const edit = want ? (g.merged ? insertYamlKey(file, model.lines, s.range.start, 'stop_grace_period', want) : replaceValue(file, g.range, want)) : undefined;
      out.push({
        range: g.range,
        message: bare
          ? `stop_grace_period: ${t} has no unit: Compose reads it as a Go duration, which needs one, so \`docker compose\` refuses the file (schema format "duration"). Write ${t}s for ${t} seconds.`
          : `stop_grace_period: ${t} is not a duration Compose accepts (Go durations: ns, us, ms, s, m, h, such as 30s or 1m30s), so \`docker compose\` refuses the file.`,
        fixes: edit && want ? [{ title: `Write stop_grace_period: ${want}`, edits: [edit], preferred: true }] : [],
      });
    }
    return out;
  },
};
