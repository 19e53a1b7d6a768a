import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { app } from './rule';
import { parseDuration } from '../yamlModel';
import { insertYamlKey, replaceValue } from '../fixes';

/** Drain/shutdown timeout flags; group 1 is a unit suffix in the flag's name (`--shutdown-timeout-ms`). */
const DRAIN_FLAG = /^--?(?:(?:graceful|shutdown|drain|stop)[-_]?(?:timeout|period|grace)|timeout[-_]graceful[-_]shutdown|graceful[-_]shutdown[-_]timeout|grace[-_]period)(?:[-_]?(ms|millis|milliseconds|s|sec|secs|seconds))?$/i;

/** Programs whose drain flags take plain seconds (their documentation says so). */
const SECONDS_PROGRAMS = new Set(['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'granian']);

/**
 * Seconds of a drain flag's value: a Go/Compose duration (`30s`, `1m30s`, `500ms`, `1h`), or a plain
 * number in the unit the flag's name gives (`-ms`), else in seconds for programs known to take seconds.
 * A plain number of 1000 or more for any other program is most likely milliseconds (`30000`): no
 * verdict then, rather than a false alarm.
 */
export function drainSeconds(raw: string, unit: string | undefined, program: string): number | undefined {
  const t = raw.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (unit && /^m/i.test(unit)) return n / 1000;
    if (unit) return n;
    if (SECONDS_PROGRAMS.has(program)) return n;
    return n >= 1000 ? undefined : n;
  }
  return /[a-zµ]$/i.test(t) ? parseDuration(t) : undefined;
}

/** "90 s", "1.5 s", "0.5 s": no float noise in messages. */
function secs(n: number): string {
  return `${Math.round(n * 1000) / 1000} s`;
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
      // A grace period that is not a duration here (`${GRACE}`, interpolated by Compose) is unknown.
      if (s.stopGrace && s.stopGrace.seconds === undefined) continue;
      const argv = a.argv;
      const program = (argv[0] ?? '').split('/').pop() ?? '';
      for (let i = 0; i < argv.length; i++) {
        const eq = argv[i].indexOf('=');
        const flag = eq >= 0 ? argv[i].slice(0, eq) : argv[i];
        const m = DRAIN_FLAG.exec(flag);
        if (!m) continue;
        const v = drainSeconds(eq >= 0 ? argv[i].slice(eq + 1) : argv[i + 1] ?? '', m[1], program);
        const G = chain.policy.gracePeriodSeconds;
        if (v === undefined || v <= G) continue;
        const want = `${Math.ceil(v) + 10}s`;
        const edit = s.stopGrace && !s.stopGrace.merged ? replaceValue(file, s.stopGrace.range, want) : insertYamlKey(file, model.lines, s.range.start, 'stop_grace_period', want);
        out.push({
          fixes: edit ? [{ title: `Set stop_grace_period: ${want}`, edits: [edit], preferred: true }] : [],
          range: s.stopGrace?.range ?? s.name.range,
          message: `The app drains for up to ${secs(v)} (${flag}), but ${s.stopGrace ? `stop_grace_period is ${s.stopGrace.raw}${s.stopGrace.raw.trim() === secs(G).replace(' ', '') ? '' : ` (${secs(G)})`}` : `the default stop_grace_period is ${secs(G)}`}: Compose SIGKILLs it after ${secs(G)}, mid-drain. Set stop_grace_period above ${secs(v).replace(' ', '')}.`,
        });
        break;
      }
    }
    return out;
  },
};
