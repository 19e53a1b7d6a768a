import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { app } from './rule';
import { parseDuration } from '../yamlModel';
import { insertYamlKey, replaceValue } from '../fixes';

const DRAIN_FLAG = /^--?((graceful|shutdown|drain|stop)[-_]?(timeout|period|grace)|timeout[-_]graceful[-_]shutdown|graceful[-_]shutdown[-_]timeout|grace[-_]period)$/i;

function value(raw: string): number | undefined {
  return parseDuration(raw) ?? (/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined);
}

export const STOP407: YamlRule = {
  meta: {
    id: 'STOP407', name: 'compose-grace-shorter-than-drain', family: 'compose', defaultSeverity: 'warning', fixable: false,
    summary: '`stop_grace_period` shorter than the shutdown/drain timeout the app is started with: Compose SIGKILLs before the drain ends.',
  },
  check({ file, model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const s = chain.service;
      const a = app(chain);
      if (!s || !a || a.role !== 'app') continue;
      const argv = a.argv;
      for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split('=', 2);
        if (!DRAIN_FLAG.test(flag)) continue;
        const v = value(inline ?? argv[i + 1] ?? '');
        const G = chain.policy.gracePeriodSeconds;
        if (v === undefined || v <= G) continue;
        const want = `${Math.ceil(v) + 10}s`;
        const edit = s.stopGrace ? replaceValue(file, s.stopGrace.range, want) : insertYamlKey(file, model.lines, s.range.start, 'stop_grace_period', want);
        out.push({
          fixes: edit ? [{ title: `Set stop_grace_period: ${want}`, edits: [edit], preferred: true }] : [],
          range: s.stopGrace?.range ?? s.name.range,
          message: `The app drains for up to ${v} s (${flag}), but ${s.stopGrace ? `stop_grace_period is ${s.stopGrace.raw}` : `the default stop_grace_period is ${G} s`}: Compose SIGKILLs it after ${G} s, mid-drain. Set stop_grace_period above ${v}s.`,
        });
        break;
      }
    }
    return out;
  },
};
