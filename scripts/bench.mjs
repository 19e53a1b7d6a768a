#!/usr/bin/env node
// Side-by-side performance figures for stopcheck (`npm run bench`, i.e. `node scripts/bench.mjs`).
//
// It prints figures, never pass/fail: every table says which goal a figure is measured against and
// whether this run met it. Sections:
//   1. a generated corpus (seeded, so every run analyses the same files) in bench-corpus/
//   2. per-file analysis in one process: stopcheck vs dockerfile-utils validate(); the CLI over 1,000
//      start scripts vs one shellcheck process over the same files
//   3. editor latency over a real JSON-RPC connection to dist/server.js (didChange → publishDiagnostics)
//   4. server cold start, the client's activation in a real VS Code (code-server, when `npm test` has
//      installed the end-to-end tools), .vsix size (built in a staging copy when stopcheck.vsix is
//      missing, so the work tree's dist/ is left alone), server memory with the whole corpus open
//   5. CLI wall time over 1×, 10×, 100× the corpus (or 1×, 5×, 25× when 100× would take too long)
//
// Options:
//   --out FILE   also write the report as Markdown (docs/performance.md is written this way)
//   --quick      fewer rounds and edits, no scaling beyond 5× (for trying the script out)
//   --skip-vsix  do not build a .vsix when stopcheck.vsix is missing
//   --corpus-only  generate bench-corpus/ and stop
//   --only LIST  run only these sections (comma-separated: perfile, shellcheck, latency, startup,
//                scaling, within); the summary then lists only their figures
//
// Needs the TypeScript output (out/) and the bundles (dist/); both are rebuilt when missing or older
// than the sources. Nothing is left running: every child process is ended before exit.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// The peer is measured as published. stopcheck keeps each parsed instruction's arguments (see
// server/src/core/astMemo.ts), which changes dockerfile-ast's Instruction class in the process that
// loads stopcheck; dockerfile-utils must not get that for free. So it is loaded first, and its
// dockerfile-ast is dropped from the module cache: stopcheck then loads a copy of its own, as it
// does in the bundled server.
const peerValidate = require('dockerfile-utils').validate;
const peerInstruction = require('dockerfile-ast').Instruction; // the copy dockerfile-utils loaded
const peerRawArguments = peerInstruction.prototype.getRawArguments;
for (const k of Object.keys(require.cache)) if (/[\\/]node_modules[\\/]dockerfile-ast[\\/]/.test(k)) delete require.cache[k];
const BENCH = path.join(ROOT, 'bench-corpus');
const CORPUS = path.join(BENCH, 'corpus'); // the server's workspace: services/ + large/
const SERVICES = path.join(CORPUS, 'services'); // "the corpus" (1×)
const LARGE = path.join(CORPUS, 'large');
const SCALE = path.join(BENCH, 'scale');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SERVER = path.join(ROOT, 'dist', 'server.js');

const argv = process.argv.slice(2);
const KNOWN = new Set(['--out', '--quick', '--skip-vsix', '--corpus-only', '--only', '--help', '-h']);
if (argv.includes('--help') || argv.includes('-h')) {
  // The header comment is the help.
  const text = fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => !l.startsWith('#!'));
  console.log(text.slice(0, text.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const unknownArg = argv.find((a, i) => a.startsWith('-') && !KNOWN.has(a) && !['--out', '--only'].includes(argv[i - 1]));
if (unknownArg) {
  console.error(`bench: unknown option ${unknownArg} (see --help)`);
  process.exit(2);
}
const QUICK = argv.includes('--quick');
const SKIP_VSIX = argv.includes('--skip-vsix');
const CORPUS_ONLY = argv.includes('--corpus-only');
const ONLY = (() => {
  const i = argv.indexOf('--only');
  return i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : undefined;
})();
const want = (name) => !ONLY || ONLY.includes(name);
const OUT = (() => {
  const i = argv.indexOf('--out');
  return i >= 0 ? path.resolve(argv[i + 1] ?? '') : undefined;
})();

const SEED = 0x5eed_2024;
const N_PROJECTS = 400;
const N_SCRIPTS = 1000;
const EDITS = QUICK ? 40 : 200;
const ROUNDS = QUICK ? 2 : 5;

// ------------------------------------------------------------------------------------------------
// Child processes: every one is tracked and ended on exit, Ctrl-C or an error.

const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
const stagingDirs = new Set();
function killAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
  for (const d of stagingDirs) fs.rmSync(d, { recursive: true, force: true });
  stagingDirs.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.stderr.write(`\nbench: stopped by ${sig}\n`);
    process.exit(130);
  });
}

function runCmd(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let out = '';
    let err = '';
    const stdoutFd = opts.stdoutFile ? fs.openSync(opts.stdoutFile, 'w') : undefined;
    const child = track(spawn(cmd, args, {
      cwd: opts.cwd ?? ROOT, env: { ...process.env, ...(opts.env ?? {}) },
      stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    }));
    child.stdout?.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { err += b; });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (timer) clearTimeout(timer);
      if (stdoutFd !== undefined) fs.closeSync(stdoutFd);
      resolve({ code, signal, ms, stdout: out, stderr: err });
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Other work on the machine: CPU time used by processes that are not this bench or its children,
// from /proc/stat minus our own (and our children's) ticks. Reported with every section.

function ticksOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
  } catch {
    return 0;
  }
}
function cpuSnapshot() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  let own = ticksOf(process.pid);
  for (const c of children) own += ticksOf(c.pid);
  return { busy: user + nice + system + irq + softirq + (steal ?? 0), total: user + nice + system + idle + iowait + irq + softirq + (steal ?? 0), own };
}
/** Share of the machine (all cores) used by other processes between two snapshots, in %. */
function foreignPct(a, b) {
  const total = b.total - a.total;
  return total > 0 ? Math.max(0, (100 * ((b.busy - a.busy) - (b.own - a.own))) / total) : 0;
}
const foreignLog = []; // { section, pct }

/**
 * Wait (up to `maxS` seconds) until other processes use less than 10% of the machine. Once a wait
 * has timed out in a section, later waits in that section only sample (the load is not going away).
 */
let gaveUp = false;
async function waitForQuiet(maxS = 90) {
  for (let waited = 0; ; waited += 1) {
    const a = cpuSnapshot();
    await new Promise((r) => setTimeout(r, 1000));
    const pct = foreignPct(a, cpuSnapshot());
    if (pct < 10) return pct;
    if (gaveUp || waited >= maxS) {
      if (!gaveUp) say(`other processes keep using ${pct.toFixed(0)}% of the machine; measuring anyway (figures will be skewed)`);
      gaveUp = true;
      return pct;
    }
    if (waited % 10 === 0) say(`other processes use ${pct.toFixed(0)}% of the machine; waiting for it to be quiet`);
  }
}

/** Run one section; note in its tables how busy the rest of the machine was meanwhile. */
async function section(name, fn) {
  say(name);
  gaveUp = false;
  await waitForQuiet();
  const before = report.length;
  const a = cpuSnapshot();
  const result = await fn();
  const pct = foreignPct(a, cpuSnapshot());
  foreignLog.push({ section: name, pct });
  for (const t of report.slice(before)) t.notes.push(`Other processes used ${pct.toFixed(1)}% of the machine's CPU during this section${pct >= 10 ? ' — these figures are skewed by it' : ''}.`);
  return result;
}

// ------------------------------------------------------------------------------------------------
// Statistics and formatting.

function pct(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => pct(xs, 50);
function ms(x) {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 100) return `${x.toFixed(0)} ms`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  if (x >= 1) return `${x.toFixed(2)} ms`;
  return `${(x * 1000).toFixed(0)} µs`;
}
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const ratio = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : '–');
const met = (ok) => (ok === undefined ? '–' : ok ? 'met' : 'NOT met');

const report = []; // { title, intro?, head, rows, notes? }
function table(title, head, rows, notes = [], intro) {
  const t = { title, head, rows, notes, intro };
  report.push(t);
  return t;
}
function renderTable(t) {
  const lines = [`### ${t.title}`, ''];
  if (t.intro) lines.push(t.intro, '');
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  lines.push(`| ${t.head.map(esc).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`);
  for (const r of t.rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
  if (t.notes.length) lines.push('', ...t.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}
function say(s) {
  process.stderr.write(`bench: ${s}\n`);
}

// ------------------------------------------------------------------------------------------------
// Seeded generator (mulberry32): the same corpus on every run and every machine.

class Rng {
  constructor(seed) {
    this.a = seed >>> 0;
  }
  next() {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick(xs) {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p) {
    return this.next() < p;
  }
  shuffle(xs) {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
  /** Log-uniform integer in [lo, hi]: many short files, some long ones. */
  logInt(lo, hi) {
    return Math.round(lo * Math.pow(hi / lo, this.next()));
  }
}
const seedFor = (...xs) => xs.reduce((h, x) => (Math.imul(h ^ x, 0x9e3779b1) + 0x7f4a7c15) >>> 0, SEED);

// ---- start scripts ------------------------------------------------------------------------------

const ENV_NAMES = ['APP_ENV', 'APP_PORT', 'LOG_LEVEL', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'REDIS_URL', 'WORKERS', 'TIMEOUT',
  'CACHE_DIR', 'DATA_DIR', 'TZ', 'FEATURE_FLAGS', 'METRICS_PORT', 'QUEUE_NAME', 'APP_HOME', 'CONFIG_DIR', 'MAX_CONNECTIONS', 'HTTP_PROXY_URL'];
const ENV_VALUES = ['production', '8080', 'info', 'db', '5432', 'app', 'redis://redis:6379/0', '4', '30', '/var/cache/app', '/data', 'UTC',
  'search,checkout', '9090', 'default', '/app', '/etc/app', '100', ''];
const ROLES = ['web', 'worker', 'scheduler', 'migrate', 'consumer', 'api', 'cron', 'admin'];
const APPS = [
  ['/usr/local/bin/app', 'serve'], ['node', 'server.js'], ['python', '-m', 'app'], ['gunicorn', '-b', '0.0.0.0:8000', 'app.wsgi:application'],
  ['java', '-jar', '/app/app.jar'], ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8000'], ['/app/bin/worker', '--queue', 'default'],
  ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'], ['php-fpm', '-F'], ['nginx', '-g', 'daemon off;'], ['/usr/local/bin/app', 'worker', '--concurrency', '4'],
  ['celery', '-A', 'app', 'worker', '--loglevel=INFO'], ['dotnet', 'App.dll'], ['/opt/app/bin/server'],
];
const shq = (w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/(["\\$`])/g, '\\$1')}"`);

function scriptCtx(r, bash) {
  let n = 0;
  return { r, bash, hasLog: false, trapSet: false, id: () => `${r.pick(['a', 'b', 'c', 'd', 'e', 'f'])}${++n}` };
}
function say2(c, level, msg) {
  return c.hasLog ? `log ${level} "${msg}"` : `echo "${msg}" >&2`;
}

const SCRIPT_BLOCKS = [
  // defaults
  (r) => {
    const out = ['', '# defaults'];
    for (let i = r.int(2, 6); i > 0; i--) {
      const v = r.pick(ENV_NAMES);
      const d = r.pick(ENV_VALUES);
      out.push(r.pick([`: "\${${v}:=${d}}"`, `${v}="\${${v}:-${d}}"`, `export ${v}="\${${v}:-${d}}"`]));
    }
    return out;
  },
  // wait for a dependency
  (r, c) => {
    const f = `wait_for_${c.id()}`;
    const [h, p] = r.pick([['DB_HOST', 'DB_PORT'], ['REDIS_HOST', 'REDIS_PORT'], ['BROKER_HOST', 'BROKER_PORT']]);
    const loop = r.pick(['until', 'while !']);
    return ['', `${f}() {`, ...(c.bash ? ['  local host="$1" port="$2" tries=0'] : ['  host="$1"', '  port="$2"', '  tries=0']),
      `  ${loop} nc -z "$host" "$port" >/dev/null 2>&1; do`, '    tries=$((tries + 1))',
      `    if [ "$tries" -ge "\${WAIT_TRIES:-30}" ]; then`, `      ${say2(c, 'error', '$host:$port is not reachable')}`, '      exit 1', '    fi', '    sleep 1', '  done', '}',
      `${f} "\${${h}:-localhost}" "\${${p}:-5432}"`];
  },
  // case on the role
  (r, c) => {
    const v = r.pick(['APP_ROLE', 'APP_ENV', 'MODE']);
    const out = ['', `case "\${${v}:-}" in`];
    for (const role of r.shuffle(ROLES).slice(0, r.int(2, 4))) {
      out.push(`  ${role}${r.chance(0.3) ? `|${role}-*` : ''})`, `    WORKERS="\${WORKERS:-${r.int(1, 8)}}"`);
      if (r.chance(0.5)) out.push(`    export ${r.pick(ENV_NAMES)}=${shq(r.pick(ENV_VALUES))}`);
      out.push('    ;;');
    }
    out.push('  *)', `    ${say2(c, 'warn', `unknown ${v}, using defaults`)}`, '    ;;', 'esac');
    return out;
  },
  // if / elif / else
  (r, c) => {
    const v = r.pick(ENV_NAMES);
    return ['', `if [ -n "\${${v}:-}" ]; then`, `  ${say2(c, 'info', `${v} is set`)}`, `  export ${v}`,
      `elif [ -f "/run/secrets/${v.toLowerCase()}" ]; then`, `  ${v}="$(cat "/run/secrets/${v.toLowerCase()}")"`, `  export ${v}`,
      'else', `  ${v}=${shq(r.pick(ENV_VALUES))}`, 'fi'];
  },
  // render templates
  (r) => {
    const dir = r.pick(['/etc/app/conf.d', '/etc/nginx/templates', '/app/config']);
    return ['', `for tmpl in ${dir}/*.tmpl; do`, '  [ -e "$tmpl" ] || continue', '  out="${tmpl%.tmpl}"',
      '  envsubst < "$tmpl" > "$out"', r.chance(0.5) ? '  chmod 0644 "$out"' : '  : "rendered $out"', 'done'];
  },
  // heredoc config
  (r) => {
    const out = ['', `cat > ${r.pick(['/tmp/app.conf', '/etc/app/runtime.ini', '"$CONFIG_DIR/generated.conf"'])} <<EOF`];
    for (let i = r.int(3, 9); i > 0; i--) out.push(`${r.pick(['port', 'workers', 'timeout', 'log_level', 'cache', 'db_host', 'region'])} = \${${r.pick(ENV_NAMES)}:-${r.pick(ENV_VALUES) || 'none'}}`);
    out.push('EOF');
    return out;
  },
  // EXIT trap with a cleanup function (once per script)
  (r, c) => {
    if (c.trapSet) return [];
    c.trapSet = true;
    return ['', 'cleanup() {', '  rc=$?', `  rm -rf "\${TMPDIR:-/tmp}/app.$$"`, `  ${say2(c, 'info', 'exiting with $rc')}`, '}', 'trap cleanup EXIT'];
  },
  // directories and permissions
  (r) => {
    const d = r.pick(['"$DATA_DIR"', '/var/run/app', '/var/log/app', '"${CACHE_DIR:-/tmp/cache}"']);
    return ['', `mkdir -p ${d}`, r.chance(0.6) ? `chown -R "\${APP_USER:-app}:\${APP_GROUP:-app}" ${d} 2>/dev/null || true` : `chmod 0750 ${d}`];
  },
  // docker-library style file_env
  (r, c) => {
    const f = `file_env_${c.id()}`;
    const out = ['', `${f}() {`, '  var="$1"', '  fileVar="${var}_FILE"', '  def="${2:-}"', '  eval "val=\\${$var:-}"', '  eval "fileVal=\\${$fileVar:-}"',
      '  if [ -n "$val" ] && [ -n "$fileVal" ]; then', '    echo "both $var and $fileVar are set (but are exclusive)" >&2', '    exit 1', '  fi',
      '  if [ -n "$val" ]; then', '    :', '  elif [ -n "$fileVal" ]; then', '    val="$(cat "$fileVal")"', '  else', '    val="$def"', '  fi',
      '  export "$var"="$val"', `  unset "$fileVar"`, '}'];
    for (let i = r.int(1, 3); i > 0; i--) out.push(`${f} ${r.pick(['DB_PASSWORD', 'API_TOKEN', 'SECRET_KEY', 'SMTP_PASSWORD'])}`);
    return out;
  },
  // migrations
  (r, c) => ['', `if [ "\${RUN_MIGRATIONS:-0}" = "1" ]; then`, `  ${say2(c, 'info', 'running migrations')}`,
    `  ${r.pick(['/app/bin/migrate up', 'python manage.py migrate --noinput', 'npx prisma migrate deploy', 'bundle exec rake db:migrate'])} || {`,
    `    ${say2(c, 'error', 'migrations failed')}`, '    exit 1', '  }', 'fi'],
  // read an env list
  (r) => ['', 'if [ -r /etc/app/env.list ]; then', "  while IFS='=' read -r key value; do", '    case "$key" in', "      ''|'#'*) continue ;;",
    '    esac', '    export "$key=$value"', `  done < /etc/app/env.list`, 'fi'],
  // a pipeline
  (r) => ['', `${r.pick(['grep -v', 'sed -e'])} '^#' ${r.pick(['/etc/hosts.extra', '/etc/app/allowlist'])} 2>/dev/null | sort -u > /tmp/${r.pick(['hosts', 'allow'])}.txt || true`],
  // retry helper
  (r, c) => {
    const f = `retry_${c.id()}`;
    return ['', `${f}() {`, '  n=0', '  until "$@"; do', '    n=$((n + 1))', `    if [ "$n" -ge ${r.int(3, 10)} ]; then`, '      return 1', '    fi',
      `    sleep ${r.int(1, 5)}`, '  done', '}', `${f} ${r.pick(['curl -fsS "$CONFIG_URL" -o /tmp/config.json', 'test -S /var/run/app.sock', 'pg_isready -h "$DB_HOST"'])}`];
  },
  // check required variables
  (r, c) => ['', `for var in ${r.shuffle(ENV_NAMES).slice(0, r.int(2, 4)).join(' ')}; do`, '  eval "value=\\${$var:-}"', '  if [ -z "$value" ]; then',
    `    ${say2(c, 'error', 'missing $var')}`, '    exit 64', '  fi', 'done'],
  // first argument looks like a flag: run the app with it
  (r) => ['', 'if [ "${1#-}" != "$1" ]; then', `  set -- ${r.pick(APPS).map(shq).join(' ')} "$@"`, 'fi'],
  // feature flags
  (r, c) => ['', "OLD_IFS=$IFS", "IFS=','", 'for flag in ${FEATURE_FLAGS:-}; do', '  case "$flag" in',
    `    ${r.pick(['search', 'beta'])}) export ENABLE_${r.pick(['SEARCH', 'BETA'])}=1 ;;`, `    *) ${say2(c, 'debug', 'flag $flag')} ;;`, '  esac', 'done', 'IFS=$OLD_IFS'],
  // bash only: arrays, [[ ]], local, arithmetic
  (r, c) => {
    if (!c.bash) return ['', `umask ${r.pick(['0022', '0027'])}`];
    const f = `build_args_${c.id()}`;
    return ['', `${f}() {`, '  local -a args=()', '  [[ -n "${APP_PORT:-}" ]] && args+=(--port "$APP_PORT")', '  [[ "${LOG_LEVEL:-info}" == debug ]] && args+=(--verbose)',
      '  if (( ${WORKERS:-1} > 1 )); then', '    args+=(--workers "$WORKERS")', '  fi', '  printf \'%s\\n\' "${args[@]}"', '}',
      `mapfile -t EXTRA_ARGS < <(${f})`, `declare -r STARTED_AT="$(date +%s)"`];
  },
];

function scriptEndings(kind, c, next, app) {
  const r = c.r;
  const args = app.map(shq).join(' ');
  switch (kind) {
    case 'exec-args': return ['', say2(c, 'info', 'starting $*'), 'exec "$@"'];
    case 'exec-gosu': return ['', `exec ${r.pick(['gosu', 'su-exec'])} ${r.pick(['app', 'nobody', '"${APP_USER:-app}"'])} "$@"`];
    case 'exec-next': return ['', `exec ${next} "$@"`];
    case 'run-next': return ['', `${next} "$@"`];
    case 'exec-app': return ['', `exec ${args}`];
    case 'run-app': return ['', args];
    case 'bg-wait': return ['', `${args} &`, 'child=$!', `trap 'kill -TERM "$child" 2>/dev/null' TERM INT`, 'wait "$child"', 'wait "$child"'];
    default: throw new Error(kind);
  }
}

/** A start script of about `target` lines; `ending` says how it ends (what the chain follows). */
function genScript(r, target, bash, ending, next, app) {
  const c = scriptCtx(r, bash);
  const lines = [bash ? r.pick(['#!/bin/bash', '#!/usr/bin/env bash']) : r.pick(['#!/bin/sh', '#!/bin/sh', '#!/usr/bin/env sh', '#!/bin/sh -e']),
    `# ${r.pick(['Entrypoint', 'Start script', 'Container start', 'Launcher'])} for the ${r.pick(ROLES)} container.`,
    r.pick(['set -e', 'set -eu', bash ? 'set -euo pipefail' : 'set -e'])];
  if (target >= 40 || r.chance(0.5)) {
    lines.push('', 'log() {', `  printf '%s [%s] %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" >&2`, '}');
    c.hasLog = true;
  }
  const end = scriptEndings(ending, c, next, app);
  let misses = 0;
  while (lines.length + end.length < target && misses < 8) {
    const block = r.pick(SCRIPT_BLOCKS)(r, c);
    if (lines.length + block.length + end.length > Math.min(target + 6, target < 300 ? 300 : Infinity)) {
      misses++;
      continue;
    }
    lines.push(...block);
  }
  while (lines.length + end.length < target) lines.push(`# ${r.pick(['keep', 'note', 'see'])}: ${r.pick(ENV_NAMES)}`);
  return [...lines, ...end].join('\n') + '\n';
}

// ---- Dockerfiles ---------------------------------------------------------------------------------

const BASES = [
  { from: 'debian:bookworm-slim', pm: 'apt' }, { from: 'ubuntu:24.04', pm: 'apt' }, { from: 'alpine:3.20', pm: 'apk' },
  { from: 'python:${PYTHON_VERSION}-slim', pm: 'apt', arg: ['PYTHON_VERSION', '3.12'] },
  { from: 'node:${NODE_VERSION}-alpine', pm: 'apk', arg: ['NODE_VERSION', '20'] }, { from: 'eclipse-temurin:21-jre', pm: 'apt' },
  { from: 'ruby:3.3-slim', pm: 'apt' }, { from: 'php:8.3-fpm-alpine', pm: 'apk' }, { from: 'nginx:1.27-alpine', pm: 'apk' },
  { from: 'registry.example.com/base/runtime:${BASE_TAG}', pm: 'apt', arg: ['BASE_TAG', '2024.06'] },
];
const BUILDERS = [
  ['golang:1.22', ['WORKDIR /src', 'COPY go.mod go.sum ./', 'RUN go mod download', 'COPY . .', 'RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app'], 'COPY --from=build /out/app /usr/local/bin/app'],
  ['node:20', ['WORKDIR /src', 'COPY package.json package-lock.json ./', 'RUN npm ci', 'COPY . .', 'RUN npm run build && npm prune --omit=dev'], 'COPY --from=build /src/dist /app/dist'],
  ['maven:3.9-eclipse-temurin-21', ['WORKDIR /src', 'COPY pom.xml .', 'RUN mvn -q -B dependency:go-offline', 'COPY src ./src', 'RUN mvn -q -B package -DskipTests'], 'COPY --from=build /src/target/app.jar /app/app.jar'],
  ['rust:1.79', ['WORKDIR /src', 'COPY . .', 'RUN cargo build --release --locked'], 'COPY --from=build /src/target/release/app /usr/local/bin/app'],
];
const PKGS = ['ca-certificates', 'curl', 'tzdata', 'netcat-openbsd', 'gettext-base', 'gosu', 'tini', 'jq', 'procps', 'libpq5', 'openssl', 'less', 'git', 'unzip'];

function filler(r, pm, stageNo) {
  const k = r.int(0, 9);
  switch (k) {
    case 0: case 1: {
      const pk = r.shuffle(PKGS).slice(0, r.int(2, 7));
      return pm === 'apt'
        ? ['RUN apt-get update \\', '    && apt-get install -y --no-install-recommends \\', ...pk.map((p) => `       ${p} \\`), '    && rm -rf /var/lib/apt/lists/*']
        : [`RUN apk add --no-cache ${pk.map((p) => p.replace('netcat-openbsd', 'netcat-openbsd').replace('gettext-base', 'gettext')).join(' ')}`];
    }
    case 2: return [`ENV ${r.pick(ENV_NAMES)}=${r.pick(ENV_VALUES) || 'none'} \\`, `    ${r.pick(ENV_NAMES)}=${r.pick(ENV_VALUES) || 'none'}`];
    case 3: return [`LABEL org.opencontainers.image.source="https://git.example.com/shop/stage-${stageNo}" \\`, `      org.opencontainers.image.revision="${(r.next() * 1e16).toString(16).slice(0, 12)}"`];
    case 4: return pm === 'apt' ? ['RUN groupadd --system app \\', '    && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app'] : ['RUN addgroup -S app && adduser -S -G app -h /app app'];
    case 5: return [`# ${r.pick(['keep the image small', 'runtime dependencies', 'see docs/ops.md', 'cache busting'])}`, `ARG ${r.pick(['BUILD_DATE', 'VERSION', 'GIT_SHA'])}`];
    case 6: return [`EXPOSE ${r.pick(['8080', '8000', '3000', '9090', '80'])}`];
    case 7: return ['HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\', `  CMD curl -fsS http://localhost:${r.pick(['8080', '8000'])}/healthz || exit 1`];
    case 8: return ['COPY requirements.txt /tmp/requirements.txt', 'RUN pip install --no-cache-dir -r /tmp/requirements.txt \\', '    && rm /tmp/requirements.txt'];
    default: return [`RUN mkdir -p /var/run/app /var/log/app \\`, '    && chown -R 1000:1000 /var/run/app /var/log/app'];
  }
}

const SCRIPT_NAMES = ['entrypoint', 'docker-entrypoint', 'start', 'run', 'serve', 'boot', 'launch', 'init-app', 'run-app', 'start-server'];

/**
 * One project: a Dockerfile whose runnable stages run `k` start scripts between them (each stage's
 * chain passes through one or two), plus, sometimes, a Kubernetes manifest and a Compose file.
 * Returns the files (relative paths) and the scripts the chains reach.
 */
function genProject(name, idx, k, opts = {}) {
  const r = new Rng(seedFor(idx, opts.salt ?? 0));
  const files = {};
  const reached = [];
  const base = r.pick(BASES);
  const style = r.pick(['bin', 'bin', 'dir', 'workdir', 'glob']);
  const nStages = r.int(Math.ceil(k / 2), Math.min(k, 3));
  const parts = new Array(nStages).fill(1);
  for (let extra = k - nStages; extra > 0;) {
    const j = r.int(0, nStages - 1);
    if (parts[j] === 1) {
      parts[j] = 2;
      extra--;
    }
  }
  const roles = ['app', ...r.shuffle(['worker', 'migrate', 'scheduler', 'consumer', 'cron'])].slice(0, nStages);
  const useRuntimeBase = nStages > 1 || r.chance(0.3);
  const used = new Set();
  const scriptName = (role, second) => {
    let n = second ? r.pick(['run-app', 'serve', 'start-server', `run-${role}`]) : role === 'app' ? r.pick(SCRIPT_NAMES) : `${role}-entrypoint`;
    while (used.has(n)) n += '-2';
    used.add(n);
    return n;
  };
  const dirs = { bin: 'docker', dir: 'scripts', workdir: 'bin', glob: 'docker' };
  const scriptLoc = (n) => {
    const rel = `${dirs[style]}/${n}.sh`;
    switch (style) {
      case 'bin': return { rel, image: `/usr/local/bin/${n}${r.chance(0.2) ? '' : '.sh'}` };
      case 'dir': return { rel, image: `/opt/${name}/scripts/${n}.sh` };
      case 'workdir': return { rel, image: r.chance(0.5) ? `./bin/${n}.sh` : `/app/bin/${n}.sh` };
      default: return { rel, image: r.chance(0.4) ? `${n}.sh` : `/usr/local/bin/${n}.sh` };
    }
  };
  const maxLines = opts.scriptLines;
  const stageSpecs = roles.map((role, j) => {
    const app = role === 'migrate' ? r.pick([['/app/bin/migrate', 'up'], ['python', 'manage.py', 'migrate']]) : r.pick(APPS);
    const s1 = scriptLoc(scriptName(role, false));
    const s2 = parts[j] === 2 ? scriptLoc(scriptName(role, true)) : undefined;
    const bash1 = r.chance(0.45);
    let e1;
    let cmdArgs = [];
    let entry = 'plain';
    if (s2) {
      const via = r.pick(['args', 'args', 'exec-next', 'exec-next', 'run-next']);
      if (via === 'args') {
        e1 = r.pick(['exec-args', 'exec-args', 'exec-gosu']);
        entry = 'ep+cmd';
        cmdArgs = [s2.image];
      } else e1 = via;
      const t2 = maxLines ?? r.logInt(20, 300);
      files[s2.rel] = genScript(r, t2, r.chance(0.45), r.pick(['exec-app', 'exec-app', 'run-app', 'bg-wait']), undefined, app);
      reached.push(s2.rel);
    } else {
      e1 = r.pick(['exec-app', 'exec-app', 'run-app', 'bg-wait', 'exec-args', 'exec-gosu']);
      if (e1 === 'exec-args' || e1 === 'exec-gosu') {
        entry = 'ep+cmd';
        cmdArgs = app;
      }
    }
    const t1 = maxLines ?? r.logInt(20, 300);
    files[s1.rel] = genScript(r, t1, bash1, e1, s2?.image, app);
    reached.push(s1.rel);
    return { role, s1, s2, entry, cmdArgs, app, final: j === 0 };
  });

  const L = [];
  const pm = base.pm;
  if (r.chance(0.25)) L.push('# syntax=docker/dockerfile:1.7');
  L.push(`# ${name}: ${r.pick(['API service', 'background jobs', 'storefront', 'billing', 'search indexer', 'notifications'])}`);
  if (base.arg) L.push(`ARG ${base.arg[0]}=${base.arg[1]}`);
  let builder;
  if (r.chance(0.6)) {
    builder = r.pick(BUILDERS);
    L.push('', `FROM ${builder[0]} AS build`, ...builder[1]);
  }
  for (let s = 0; s < (opts.extraStages ?? 0); s++) {
    L.push('', `FROM ${r.pick(['debian:bookworm-slim', 'alpine:3.20', 'golang:1.22'])} AS tools-${s}`, `WORKDIR /tools/${s}`);
    const target = opts.stageLines ?? 60;
    let n = 0;
    while (n < target) {
      const f = filler(r, 'apt', s);
      L.push(...f);
      n += f.length;
    }
  }
  const runtimeName = useRuntimeBase ? 'runtime' : (stageSpecs[0].role === 'app' && r.chance(0.5) ? 'app' : undefined);
  L.push('', `FROM ${base.from}${runtimeName ? ` AS ${runtimeName}` : ''}`);
  const fillerCount = opts.fillerCount ?? r.int(2, 9);
  for (let i = 0; i < fillerCount; i++) L.push(...filler(r, pm, i));
  if (builder) L.push(builder[2]);
  if (opts.extraStages) for (let s = 0; s < opts.extraStages; s += 3) L.push(`COPY --from=tools-${s} /tools/${s} /opt/tools/${s}`);
  const copyScripts = (specs) => {
    const out = [];
    if (style === 'bin') {
      for (const sp of specs) for (const s of [sp.s1, sp.s2].filter(Boolean)) {
        out.push(r.chance(0.5) ? `COPY --chmod=755 ${s.rel} ${s.image}` : `COPY ${s.rel} ${s.image}`);
      }
      if (out.length && r.chance(0.5)) out.push(`RUN chmod +x ${specs.flatMap((sp) => [sp.s1, sp.s2].filter(Boolean).map((s) => s.image)).join(' ')}`);
    }
    return out;
  };
  if (style === 'dir') L.push(`COPY --chmod=755 scripts/ /opt/${name}/scripts/`);
  if (style === 'glob') L.push('COPY docker/*.sh /usr/local/bin/');
  if (style === 'workdir') L.push('WORKDIR /app', 'COPY . .');
  const finalSpec = stageSpecs[0];
  const others = stageSpecs.slice(1);
  const own = useRuntimeBase ? new Set(others.filter(() => r.chance(0.4))) : new Set();
  L.push(...copyScripts(useRuntimeBase ? stageSpecs.filter((s) => !own.has(s)) : stageSpecs));
  if (r.chance(0.3)) L.push(`USER ${r.pick(['app', '1000', 'app:app'])}`);
  const tiniLike = r.pick(['tini', 'dumb-init']);
  const runLines = (sp) => {
    const p = sp.s1.image;
    if (sp.entry === 'ep+cmd') {
      const ep = r.pick([[p], [p], [`/usr/bin/${tiniLike}`, '--', p]]);
      return [`ENTRYPOINT ${JSON.stringify(ep)}`, `CMD ${JSON.stringify(sp.cmdArgs)}`];
    }
    switch (r.int(0, 7)) {
      case 0: return [`ENTRYPOINT ${JSON.stringify([p])}`];
      case 1: return [`ENTRYPOINT ${JSON.stringify(['/usr/bin/tini', '--', p])}`];
      case 2: return [`CMD ${p}`];
      case 3: return [`CMD ${JSON.stringify(['sh', '-c', `exec ${p}`])}`];
      case 4: return [`CMD ${JSON.stringify(['/bin/sh', '-c', p])}`];
      case 5: return [`ENTRYPOINT ${p}`];
      default: return [`CMD ${JSON.stringify([p])}`];
    }
  };
  if (useRuntimeBase) {
    for (const sp of others) {
      L.push('', `FROM runtime AS ${sp.role}`, `ENV APP_ROLE=${sp.role}`);
      if (own.has(sp)) L.push(...copyScripts([sp]));
      if (r.chance(0.3)) L.push(`STOPSIGNAL ${r.pick(['SIGTERM', 'SIGINT', 'SIGQUIT'])}`);
      L.push(...runLines(sp));
    }
    L.push('', `FROM runtime${r.chance(0.6) ? ' AS app' : ''}`);
    if (r.chance(0.5)) L.push(`ENV APP_ROLE=web`);
  }
  if (r.chance(0.15)) L.push(`STOPSIGNAL ${r.pick(['SIGTERM', 'SIGQUIT', 'SIGINT'])}`);
  L.push(...runLines(finalSpec));
  files.Dockerfile = L.join('\n') + '\n';
  const dockerfileLines = L.length;

  // Kubernetes and Compose next to the Dockerfile.
  if (!opts.noYaml && r.chance(0.6)) files['k8s/deployment.yaml'] = k8sDocs(r, name, { roles }).join('---\n');
  if (!opts.noYaml && r.chance(0.35)) files['compose.yaml'] = composeFile(r, name, roles);
  return { files, reached, dockerfileLines };
}

// ---- Kubernetes and Compose ------------------------------------------------------------------------

function k8sDocs(r, name, { roles = ['app'], image } = {}) {
  const docs = [];
  const ns = r.pick(['shop', 'payments', 'platform', 'search']);
  const img = image ?? `registry.example.com/${ns}/${name}:${r.int(1, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`;
  const labels = (n) => [`    app.kubernetes.io/name: ${n}`, `    app.kubernetes.io/part-of: ${ns}`];
  if (r.chance(0.7)) {
    const data = [];
    for (let i = r.int(2, 8); i > 0; i--) data.push(`  ${r.pick(ENV_NAMES)}: ${JSON.stringify(r.pick(ENV_VALUES))}`);
    if (r.chance(0.4)) data.push('  app.ini: |', '    [server]', `    port = ${r.pick(['8080', '8000'])}`, `    workers = ${r.int(1, 8)}`, '    [log]', '    level = info');
    docs.push(['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}-config`, `  namespace: ${ns}`, 'data:', ...data].join('\n') + '\n');
  }
  if (r.chance(0.4)) docs.push(['apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `  name: ${name}`, `  namespace: ${ns}`].join('\n') + '\n');
  for (const role of roles.slice(0, r.int(1, roles.length))) {
    const n = role === 'app' ? name : `${name}-${role}`;
    const kind = role === 'migrate' || role === 'cron' ? 'CronJob' : r.chance(0.1) ? 'StatefulSet' : 'Deployment';
    const c = [];
    c.push(`        - name: ${role}`, `          image: ${img}`, '          imagePullPolicy: IfNotPresent');
    if (r.chance(0.25)) c.push(`          args: [${r.pick(['"--port", "8080"', '"--log-level", "info"', '"serve"'])}]`);
    if (r.chance(0.1)) c.push('          command: ["/bin/sh", "-c"]', `          args: ["${r.pick(['exec /usr/local/bin/app serve', '/usr/local/bin/app serve', 'npm start'])}"]`);
    c.push('          ports:', '            - name: http', `              containerPort: ${r.pick([8080, 8000, 3000])}`, '          env:');
    for (let i = r.int(1, 5); i > 0; i--) c.push(`            - name: ${r.pick(ENV_NAMES)}`, `              value: ${JSON.stringify(r.pick(ENV_VALUES))}`);
    if (r.chance(0.5)) c.push('            - name: DB_PASSWORD', '              valueFrom:', '                secretKeyRef:', `                  name: ${name}-db`, '                  key: password');
    c.push('          envFrom:', '            - configMapRef:', `                name: ${name}-config`,
      '          resources:', '            requests:', `              cpu: ${r.pick(['50m', '100m', '250m'])}`, `              memory: ${r.pick(['64Mi', '128Mi', '256Mi'])}`,
      '            limits:', `              memory: ${r.pick(['256Mi', '512Mi', '1Gi'])}`);
    if (kind !== 'CronJob') {
      c.push('          readinessProbe:', '            httpGet:', '              path: /ready', '              port: http', '            periodSeconds: 5',
        '          livenessProbe:', '            httpGet:', '              path: /healthz', '              port: http', '            initialDelaySeconds: 10');
      const ps = r.int(0, 4);
      if (ps === 0) c.push('          lifecycle:', '            preStop:', '              exec:', `                command: ["sh", "-c", "sleep ${r.int(2, 20)}"]`);
      else if (ps === 1) c.push('          lifecycle:', '            preStop:', '              sleep:', `                seconds: ${r.int(2, 20)}`);
      else if (ps === 2) c.push('          lifecycle:', '            preStop:', '              httpGet:', '                path: /drain', '                port: http');
      else if (ps === 3) c.push('          lifecycle:', '            preStop:', '              exec:', `                command: ["/bin/sleep", "${r.int(5, 40)}"]`);
    }
    if (r.chance(0.2)) c.push('        - name: log-shipper', `          image: ${r.pick(['fluent/fluent-bit:3.0', 'envoyproxy/envoy:v1.30-latest', 'busybox:1.36'])}`, ...(r.chance(0.5) ? ['          args: ["tail", "-F", "/var/log/app/app.log"]'] : []));
    const podSpec = (ind) => [`${ind}terminationGracePeriodSeconds: ${r.pick([10, 30, 45, 60, 120])}`, `${ind}serviceAccountName: ${name}`,
      `${ind}securityContext:`, `${ind}  runAsNonRoot: true`, `${ind}containers:`, ...c.map((l) => ind + l.slice(8))];
    if (kind === 'CronJob') {
      docs.push(['apiVersion: batch/v1', 'kind: CronJob', 'metadata:', `  name: ${n}`, `  namespace: ${ns}`, 'spec:', `  schedule: "${r.int(0, 59)} ${r.int(0, 23)} * * *"`,
        '  concurrencyPolicy: Forbid', '  jobTemplate:', '    spec:', '      template:', '        spec:', '          restartPolicy: OnFailure', ...podSpec('          ')].join('\n') + '\n');
    } else {
      docs.push([`apiVersion: apps/v1`, `kind: ${kind}`, 'metadata:', `  name: ${n}`, `  namespace: ${ns}`, '  labels:', ...labels(n), 'spec:',
        `  replicas: ${r.int(1, 6)}`, ...(kind === 'StatefulSet' ? [`  serviceName: ${n}`] : ['  revisionHistoryLimit: 5', '  strategy:', '    type: RollingUpdate', '    rollingUpdate:', '      maxUnavailable: 0', '      maxSurge: 1']),
        '  selector:', '    matchLabels:', `      app.kubernetes.io/name: ${n}`, '  template:', '    metadata:', '      labels:', `        app.kubernetes.io/name: ${n}`,
        '      annotations:', '        prometheus.io/scrape: "true"', '    spec:', ...podSpec('      ')].join('\n') + '\n');
      if (kind === 'Deployment' && role === 'app') {
        docs.push(['apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${n}`, `  namespace: ${ns}`, 'spec:', '  selector:', `    app.kubernetes.io/name: ${n}`,
          '  ports:', '    - name: http', '      port: 80', '      targetPort: http'].join('\n') + '\n');
        if (r.chance(0.3)) {
          docs.push(['apiVersion: autoscaling/v2', 'kind: HorizontalPodAutoscaler', 'metadata:', `  name: ${n}`, `  namespace: ${ns}`, 'spec:', '  scaleTargetRef:',
            '    apiVersion: apps/v1', '    kind: Deployment', `    name: ${n}`, `  minReplicas: ${r.int(2, 3)}`, `  maxReplicas: ${r.int(4, 20)}`, '  metrics:', '    - type: Resource',
            '      resource:', '        name: cpu', '        target:', '          type: Utilization', '          averageUtilization: 70'].join('\n') + '\n');
        }
        if (r.chance(0.3)) docs.push(['apiVersion: policy/v1', 'kind: PodDisruptionBudget', 'metadata:', `  name: ${n}`, `  namespace: ${ns}`, 'spec:', '  maxUnavailable: 1', '  selector:', '    matchLabels:', `      app.kubernetes.io/name: ${n}`].join('\n') + '\n');
      }
    }
  }
  return docs;
}

function composeFile(r, name, roles) {
  const L = ['services:'];
  for (const role of roles) {
    const svc = role === 'app' ? 'app' : role;
    L.push(`  ${svc}:`);
    if (r.chance(0.8)) {
      L.push('    build:', '      context: .');
      if (role !== 'app' || r.chance(0.3)) L.push(`      target: ${role}`);
    }
    L.push(`    image: registry.example.com/shop/${name}${role === 'app' ? '' : `-${role}`}:dev`);
    if (role === 'app') L.push('    ports:', `      - "${r.pick(['8080', '8000', '3000'])}:8080"`);
    L.push('    environment:', '      APP_ENV: development', '      DB_HOST: db', `      LOG_LEVEL: ${r.pick(['debug', 'info'])}`);
    L.push('    depends_on:', '      db:', '        condition: service_healthy');
    if (r.chance(0.5)) L.push(`    stop_grace_period: ${r.pick(['10s', '30s', '1m', '1m30s'])}`);
    if (r.chance(0.3)) L.push('    init: true');
    if (r.chance(0.2)) L.push(`    command: ${r.pick(['["serve", "--port", "8080"]', 'npm start', 'sh -c "exec /usr/local/bin/app serve"'])}`);
  }
  L.push('  db:', `    image: postgres:${r.pick(['15', '16'])}-alpine`);
  if (r.chance(0.5)) L.push('    stop_signal: SIGINT');
  L.push('    environment:', '      POSTGRES_USER: app', '      POSTGRES_PASSWORD: app', '    healthcheck:', '      test: ["CMD-SHELL", "pg_isready -U app"]',
    '      interval: 5s', '      retries: 10', '    volumes:', '      - db-data:/var/lib/postgresql/data');
  if (r.chance(0.5)) L.push('  redis:', '    image: redis:7-alpine', '    command: redis-server --appendonly yes');
  L.push('volumes:', '  db-data: {}');
  return L.join('\n') + '\n';
}

// ---- the corpus ---------------------------------------------------------------------------------------

/** k scripts per project, summing to N_SCRIPTS over N_PROJECTS (1–4 each). */
function scriptCounts() {
  const r = new Rng(seedFor(0xc0de));
  const ks = Array.from({ length: N_PROJECTS }, () => r.pick([1, 1, 2, 2, 2, 3, 3, 3, 4, 4]));
  let sum = ks.reduce((a, b) => a + b, 0);
  while (sum < N_SCRIPTS) {
    const i = r.int(0, N_PROJECTS - 1);
    if (ks[i] < 4) { ks[i]++; sum++; }
  }
  while (sum > N_SCRIPTS) {
    const i = r.int(0, N_PROJECTS - 1);
    if (ks[i] > 1) { ks[i]--; sum--; }
  }
  return ks;
}

function writeFiles(dir, files) {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, rel.endsWith('.sh') ? { mode: 0o755 } : undefined);
  }
}

/** The regular corpus under `dir`: N_PROJECTS projects named `${prefix}svc-NNN`. */
function genServices(dir, prefix = '') {
  const ks = scriptCounts();
  const out = { dockerfiles: [], scripts: [], yaml: [], files: 0, lines: { dockerfile: [], script: [], yaml: [] } };
  ks.forEach((k, i) => {
    const name = `${prefix}svc-${String(i).padStart(3, '0')}`;
    const p = genProject(name, i, k);
    const pdir = path.join(dir, name);
    writeFiles(pdir, p.files);
    out.dockerfiles.push(path.join(pdir, 'Dockerfile'));
    out.scripts.push(...p.reached.map((s) => path.join(pdir, s)));
    for (const [rel, text] of Object.entries(p.files)) {
      const n = text.split('\n').length - 1;
      if (rel === 'Dockerfile') out.lines.dockerfile.push(n);
      else if (rel.endsWith('.sh')) out.lines.script.push(n);
      else {
        out.lines.yaml.push(n);
        out.yaml.push(path.join(pdir, rel));
      }
      out.files++;
    }
  });
  return out;
}

function genLarge(dir) {
  // A 2,000-line Dockerfile: many tool stages, long RUN lines, and a final stage that runs two scripts.
  const big = genProject('platform-monolith', 9001, 2, { extraStages: 26, stageLines: 70, fillerCount: 20, noYaml: true });
  writeFiles(path.join(dir, 'big-dockerfile'), big.files);
  // A 1,000-line start script behind a typical Dockerfile (the cross-file case).
  const r = new Rng(seedFor(9002));
  const script = genScript(r, 1000, true, 'exec-app', undefined, ['/usr/local/bin/app', 'serve']);
  const sdir = path.join(dir, 'big-script');
  writeFiles(sdir, {
    'docker/entrypoint.sh': script,
    Dockerfile: ['FROM debian:bookworm-slim', 'RUN apt-get update \\', '    && apt-get install -y --no-install-recommends ca-certificates curl tini \\',
      '    && rm -rf /var/lib/apt/lists/*', 'COPY --from=registry.example.com/tools/app:1.2 /app /usr/local/bin/app',
      'COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/entrypoint.sh', 'USER 1000', 'EXPOSE 8080',
      'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/entrypoint.sh"]', ''].join('\n'),
  });
  // A 10,000-line multi-document manifest (a rendered platform chart); its images are the
  // workspace's svc-000 … svc-1xx, so the server maps them to those Dockerfiles.
  const mr = new Rng(seedFor(9003));
  const docs = [];
  let lines = 0;
  let referenced = 0;
  for (let i = 0; lines < 10_000; i++) {
    const name = `svc-${String(i % N_PROJECTS).padStart(3, '0')}`;
    const d = k8sDocs(mr, name, { roles: ['app', 'worker'], image: `registry.example.com/platform/${name}:1.${i % 7}.0` });
    referenced = i + 1;
    for (const doc of d) {
      docs.push(doc);
      lines += doc.split('\n').length;
    }
  }
  const manifest = docs.join('---\n');
  writeFiles(path.join(dir, 'big-manifest'), { 'k8s/platform.yaml': manifest });
  return {
    dockerfile: path.join(dir, 'big-dockerfile', 'Dockerfile'), dockerfileLines: big.files.Dockerfile.split('\n').length - 1,
    dockerfileScripts: big.reached.map((s) => path.join(dir, 'big-dockerfile', s)),
    script: path.join(sdir, 'docker', 'entrypoint.sh'), scriptLines: script.split('\n').length - 1, scriptDockerfile: path.join(sdir, 'Dockerfile'),
    manifest: path.join(dir, 'big-manifest', 'k8s', 'platform.yaml'), manifestLines: manifest.split('\n').length - 1, manifestDocs: docs.length,
    manifestServices: referenced,
  };
}

function generateCorpus() {
  fs.rmSync(BENCH, { recursive: true, force: true });
  fs.mkdirSync(SERVICES, { recursive: true });
  // The repository ignores bench-corpus/; a repository of its own lets `stopcheck lint` list it
  // with git, as it does in a user's checkout.
  spawnSync('git', ['init', '-q', BENCH], { stdio: 'ignore' });
  const t0 = performance.now();
  const svc = genServices(SERVICES);
  const large = genLarge(LARGE);
  return { svc, large, ms: performance.now() - t0 };
}

// ------------------------------------------------------------------------------------------------
// Build, machine.

function newest(dir, re, acc = { t: 0 }) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest(p, re, acc);
    else if (re.test(e.name)) acc.t = Math.max(acc.t, fs.statSync(p).mtimeMs);
  }
  return acc.t;
}
const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);

async function ensureBuilt() {
  const src = Math.max(newest(path.join(ROOT, 'server', 'src'), /\.ts$/), newest(path.join(ROOT, 'client', 'src'), /\.ts$/));
  const outJs = path.join(ROOT, 'out', 'server', 'src', 'core', 'analyze.js');
  if (mtime(outJs) < src) {
    say('out/ is missing or older than the sources: npx tsc -p .');
    const r = await runCmd(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    if (r.code !== 0) say(`tsc failed (exit ${r.code}); using the out/ there is:\n${r.stdout.slice(0, 2000)}`);
  }
  if (Math.min(mtime(SERVER), mtime(CLI)) < src) {
    say('dist/ is missing or older than the sources: node scripts/build.mjs');
    const r = await runCmd(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')]);
    if (r.code !== 0) throw new Error(`build failed:\n${r.stderr}`);
  }
}

function bundleKind() {
  const text = fs.readFileSync(SERVER, 'utf8');
  const lines = text.split('\n').length;
  return `${lines < 200 ? 'minified (production)' : 'unminified (development)'} dist/server.js, ${mb(text.length)}`;
}

function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim();
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.availableParallelism?.() ?? os.cpus().length);
  const memKb = Number(/MemTotal:\s*(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  let distro = os.type();
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? distro;
  } catch { /* not Linux */ }
  return { nproc, model: mhz ? `${model} (${Number(mhz).toFixed(0)} MHz)` : model, mem: `${(memKb / 1024 / 1024).toFixed(1)} GiB`, node: process.version, os: `${distro}, kernel ${os.release()}`, load: loadavg() };
}

function sourceState() {
  const head = spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || '?';
  const dirty = (spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'server/src', 'client/src'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n').filter(Boolean).map((l) => l.slice(3));
  return dirty.length ? `commit ${head} plus uncommitted changes to ${dirty.join(', ')}` : `commit ${head}`;
}

function loadavg() {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ------------------------------------------------------------------------------------------------
// 2. Per-file analysis in one process.

function core() {
  const base = path.join(ROOT, 'out', 'server', 'src');
  return {
    ...require(path.join(base, 'core', 'shell.js')),
    ...require(path.join(base, 'core', 'runtime.js')),
    ...require(path.join(base, 'core', 'analyze.js')),
    ...require(path.join(base, 'core', 'script.js')),
    ...require(path.join(base, 'adapters', 'diskFiles.js')),
    ...require(path.join(base, 'core', 'rules', 'index.js')),
    ...require(path.join(base, 'core', 'cache.js')),
    WorkspaceIndex: require(path.join(base, 'lsp', 'workspace.js')).WorkspaceIndex,
  };
}

function timeEach(n, fn) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return xs;
}

async function inProcess(corpus) {
  const c = core();
  const validate = peerValidate;
  const ownInstruction = require('dockerfile-ast').Instruction;
  if (!require(path.join(ROOT, 'out', 'server', 'src', 'core', 'astMemo.js')).argumentsMemoised() || ownInstruction === peerInstruction
    || peerInstruction.prototype.getRawArguments !== peerRawArguments) throw new Error('bench: dockerfile-utils shares stopcheck\'s dockerfile-ast; the comparison would not be fair');
  const dfuVersion = require('dockerfile-utils/package.json').version;
  const t0 = performance.now();
  await c.initParsers();
  const initMs = performance.now() - t0;
  const items = corpus.svc.dockerfiles.map((file) => ({ file, text: fs.readFileSync(file, 'utf8'), dir: path.dirname(file) }));

  // The scripts the chains reach must be exactly the generated ones (checked, not assumed).
  const reached = new Set();
  let findings = 0;
  for (const it of items) {
    const a = c.analyzeDockerfile(it.file, it.text, { files: c.diskFiles(it.dir) });
    findings += a.findings.length;
    for (const ch of a.chains) for (const h of ch.scripts) if (h.source.file !== it.file) reached.add(h.source.file);
    validate(it.text);
    c.analyzeDockerfile(it.file, it.text);
  }
  const planned = new Set(corpus.svc.scripts);
  const missing = [...planned].filter((s) => !reached.has(s));
  const extra = [...reached].filter((s) => !planned.has(s));
  if (missing.length || extra.length) say(`warning: chains reach ${reached.size} scripts; ${missing.length} generated ones are not reached (e.g. ${missing.slice(0, 3).join(', ')}), ${extra.length} others are`);

  // stopcheck keeps parsed Dockerfiles, script analyses and YAML documents by text. "cold" empties
  // those caches before each call (untimed): every file is read and parsed as if for the first time.
  // "editing" empties only the parsed Dockerfiles: the Dockerfile was just edited, the start scripts
  // it runs were not, so their analyses are still there (the editor's case).
  const cold = () => c.clearTextCaches();
  const full = [];
  const editing = [];
  const dfu = [];
  const own = [];
  for (let round = 0; round < ROUNDS; round++) {
    items.forEach((it, i) => {
      const steps = [
        () => { cold(); const t = performance.now(); c.analyzeDockerfile(it.file, it.text, { files: c.diskFiles(it.dir) }); full.push(performance.now() - t); },
        () => { const t = performance.now(); validate(it.text); dfu.push(performance.now() - t); },
        () => { cold(); const t = performance.now(); c.analyzeDockerfile(it.file, it.text); own.push(performance.now() - t); },
        () => {
          c.analyzeDockerfile(it.file, it.text, { files: c.diskFiles(it.dir) });
          c.clearTextCaches('dockerfile');
          const t = performance.now(); c.analyzeDockerfile(it.file, it.text, { files: c.diskFiles(it.dir) }); editing.push(performance.now() - t);
        },
      ];
      if ((round + i) % 2) steps.reverse();
      for (const s of steps) s();
    });
  }
  const big = { file: corpus.large.dockerfile, text: fs.readFileSync(corpus.large.dockerfile, 'utf8') };
  const bigN = QUICK ? 5 : 20;
  timeEach(3, () => c.analyzeDockerfile(big.file, big.text, { files: c.diskFiles(path.dirname(big.file)) }));
  timeEach(3, () => validate(big.text));
  const bigFull = [];
  const bigDfu = [];
  const bigOwn = [];
  for (let i = 0; i < bigN; i++) {
    cold();
    bigFull.push(...timeEach(1, () => c.analyzeDockerfile(big.file, big.text, { files: c.diskFiles(path.dirname(big.file)) })));
    bigDfu.push(...timeEach(1, () => validate(big.text)));
    cold();
    bigOwn.push(...timeEach(1, () => c.analyzeDockerfile(big.file, big.text)));
  }

  // Start scripts and YAML on their own (no peer here; for the record).
  const scripts = corpus.svc.scripts.map((f) => fs.readFileSync(f, 'utf8'));
  scripts.forEach((t) => c.analyzeScript(t));
  const scriptTimes = [];
  for (let round = 0; round < ROUNDS; round++) for (const t of scripts) scriptTimes.push(...timeEach(1, () => c.analyzeScript(t)));
  const parseTimes = [];
  for (let round = 0; round < ROUNDS; round++) for (const t of scripts) parseTimes.push(...timeEach(1, () => c.withShellTree(t, () => 0)));
  const bigScript = fs.readFileSync(corpus.large.script, 'utf8');
  timeEach(3, () => c.analyzeScript(bigScript));
  const bigScriptTimes = timeEach(bigN, () => c.analyzeScript(bigScript));
  const yamls = corpus.svc.yaml.map((file) => ({ file, text: fs.readFileSync(file, 'utf8'), root: path.dirname(file).replace(/\/k8s$/, '') }));
  yamls.forEach((y) => c.analyzeYaml(y.file, y.text, { files: c.diskFiles(y.root) }));
  const yamlTimes = [];
  for (let round = 0; round < ROUNDS; round++) for (const y of yamls) yamlTimes.push(...timeEach(1, () => { cold(); c.analyzeYaml(y.file, y.text, { files: c.diskFiles(y.root) }); }));
  const manifest = fs.readFileSync(corpus.large.manifest, 'utf8');
  timeEach(2, () => c.analyzeYaml(corpus.large.manifest, manifest));
  const manifestTimes = [];
  for (let i = 0; i < (QUICK ? 3 : 10); i++) {
    cold();
    manifestTimes.push(...timeEach(1, () => c.analyzeYaml(corpus.large.manifest, manifest)));
  }
  // One comment line typed into a document in the middle: the other documents' parse is reused.
  const mid = manifest.indexOf('\n---', Math.floor(manifest.length / 2)) + 1;
  c.analyzeYaml(corpus.large.manifest, manifest);
  const manifestEditTimes = [];
  for (let i = 0; i < (QUICK ? 3 : 10); i++) {
    const edited = `${manifest.slice(0, mid)}---\n# edit ${i}\n${manifest.slice(mid + 4)}`;
    manifestEditTimes.push(...timeEach(1, () => c.analyzeYaml(corpus.large.manifest, edited)));
  }

  const row = (what, n, xs) => [what, n, ms(mean(xs)), ms(median(xs)), ms(pct(xs, 99))];
  const r1 = mean(full) / mean(dfu);
  const r50 = median(full) / median(dfu);
  const rEdit = mean(editing) / mean(dfu);
  const rBig = mean(bigFull) / mean(bigDfu);
  const floor = (mean(parseTimes) * reached.size / items.length) / mean(dfu);
  table('Dockerfiles, per file, in one process: stopcheck vs dockerfile-utils validate()',
    ['analysis', 'files × rounds', 'mean', 'p50', 'p99'],
    [
      row('stopcheck analyzeDockerfile, per file: the Dockerfile parsed afresh, its start scripts analysed as files of their own (kept, as in the editor and the CLI)', `${items.length} × ${ROUNDS}`, editing),
      row('stopcheck analyzeDockerfile, cold, including reading and parsing the start scripts it runs', `${items.length} × ${ROUNDS}`, full),
      row(`dockerfile-utils ${dfuVersion} validate()`, `${items.length} × ${ROUNDS}`, dfu),
      row('stopcheck analyzeDockerfile, the Dockerfile alone (no file access), cold', `${items.length} × ${ROUNDS}`, own),
      row(`stopcheck full, the ${corpus.large.dockerfileLines}-line Dockerfile, cold`, `1 × ${bigN}`, bigFull),
      row(`dockerfile-utils validate(), the ${corpus.large.dockerfileLines}-line Dockerfile`, `1 × ${bigN}`, bigDfu),
      row(`stopcheck, the ${corpus.large.dockerfileLines}-line Dockerfile alone, cold`, `1 × ${bigN}`, bigOwn),
    ],
    [
      `Ratio stopcheck / dockerfile-utils per file: **${ratio(rEdit)} by mean** over ${items.length} Dockerfiles (goal ≤ 1.0: ${met(rEdit <= 1)}); `
        + `**${ratio(rBig)}** on the ${corpus.large.dockerfileLines}-line Dockerfile, cold (${met(rBig <= 1)}). `
        + `For the record, cold with the start scripts read and parsed as part of the Dockerfile: ${ratio(r1)} by mean, ${ratio(r50)} by p50; `
        + `tree-sitter-bash alone, parsing the ${(reached.size / items.length).toFixed(1)} scripts a Dockerfile runs, costs ${ratio(floor)} of validate() (validate() reads no script). `
        + `Without any file access, cold: ${ratio(mean(own) / mean(dfu))} by mean.`,
      'Per file: a start script is a file of its own. The editor and the CLI analyse it once, kept by its text, and every Dockerfile (or edit of one) that runs it uses that '
        + 'analysis; its cost is the script\'s, measured against shellcheck below. So the Dockerfile\'s own figure drops only the parsed Dockerfile before each call. '
        + 'Cold: every cache (parsed Dockerfiles, script analyses, file texts, YAML documents) is emptied before each call, untimed, so every file is read and parsed as if for the first time.',
      `What each side does. stopcheck: parses the Dockerfile (dockerfile-ast), works out every runnable stage's SHELL/ENTRYPOINT/CMD/STOPSIGNAL, `
        + `follows COPY/ADD to the start scripts in the build context, reads them from disk and parses them with tree-sitter-bash (wasm), builds the launch chain `
        + `and the stop timeline, runs its ${c.DOCKERFILE_RULES.length} Dockerfile rules, suppressions and fixes. dockerfile-utils validate(): parses the same Dockerfile with the same parser `
        + `(dockerfile-ast) and checks every instruction's syntax and arguments; it reads no other file.`,
      `The chains of the ${items.length} Dockerfiles reach ${reached.size} start scripts (${planned.size} generated; ${missing.length} not reached); ${findings} findings. `
        + `Shell parser start-up (wasm load, once per process): ${ms(initMs)}. Order of the three calls alternates per file; one untimed pass first.`,
    ]);
  table('Start scripts and YAML, per file, in one process (no peer; for the record)',
    ['analysis', 'files × rounds', 'mean', 'p50', 'p99'],
    [
      row(`stopcheck analyzeScript, ${corpus.svc.lines.script.length} start scripts (${Math.min(...corpus.svc.lines.script)}–${Math.max(...corpus.svc.lines.script)} lines)`, `${scripts.length} × ${ROUNDS}`, scriptTimes),
      row('  of which tree-sitter-bash parsing alone (parse + free the tree)', `${scripts.length} × ${ROUNDS}`, parseTimes),
      row(`stopcheck analyzeScript, the ${corpus.large.scriptLines}-line script`, `1 × ${bigN}`, bigScriptTimes),
      row(`stopcheck analyzeYaml, ${yamls.length} manifests and Compose files (chains into the Dockerfile for build:), cold`, `${yamls.length} × ${ROUNDS}`, yamlTimes),
      row(`stopcheck analyzeYaml, the ${corpus.large.manifestLines}-line manifest (${corpus.large.manifestDocs} documents, no image→Dockerfile mapping), cold`, `1 × ${manifestTimes.length}`, manifestTimes),
      row(`stopcheck analyzeYaml, the same manifest after a comment line is typed into one document (the others' parse kept)`, `1 × ${manifestEditTimes.length}`, manifestEditTimes),
    ], ['Cold: stopcheck\'s caches are emptied before every call (untimed). analyzeScript itself keeps nothing; the chain builder keeps its results by text.']);
  return { reached: [...reached].sort(), r1, rBig, rEdit };
}

// ---- the CLI over 1,000 scripts vs shellcheck ------------------------------------------------------

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function ensureShellcheck() {
  let p = which('shellcheck');
  if (p) return { path: p };
  const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'shellcheck'];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { skip: `shellcheck is not installed and this is not root. Install it with: sudo ${install.join(' ')}` };
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  say(`shellcheck missing: ${install.join(' ')}`);
  let r = spawnSync(install[0], install.slice(1), { env, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    say('install failed: apt-get update, then again');
    spawnSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 2, 2] });
    r = spawnSync(install[0], install.slice(1), { env, stdio: ['ignore', 2, 2] });
  }
  p = which('shellcheck');
  return p ? { path: p } : { skip: `could not install shellcheck (${install.join(' ')} exited ${r.status})` };
}

async function cliVsShellcheck(corpus, reached) {
  const outDir = path.join(BENCH, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const dockerfiles = corpus.svc.dockerfiles.map((f) => path.relative(SERVICES, f));
  const scripts = reached.map((f) => path.relative(SERVICES, f));
  const version = await runCmd(process.execPath, [CLI, '--version']);
  const fixed = [];
  for (let i = 0; i < 3; i++) fixed.push((await runCmd(process.execPath, [CLI, '--version'])).ms);
  const cliRuns = [];
  let cliFindings = 0;
  let cliScriptFiles = 0;
  for (let i = 0; i < 3; i++) {
    await waitForQuiet(30);
    const outFile = path.join(outDir, 'cli-scripts.json');
    const r = await runCmd(process.execPath, [CLI, 'lint', ...dockerfiles, '--format', 'json', '--fail-on', 'never'], { cwd: SERVICES, stdoutFile: outFile });
    if (r.code !== 0) throw new Error(`stopcheck lint failed (${r.code}): ${r.stderr.slice(0, 2000)}`);
    cliRuns.push(r.ms);
    const json = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    cliFindings = json.length;
    cliScriptFiles = new Set(json.filter((f) => f.file.endsWith('.sh')).map((f) => f.file)).size;
  }
  const cliMs = median(cliRuns);
  const scriptLines = reached.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').length - 1, 0);
  const rows = [[`stopcheck ${version.stdout.trim()}: \`stopcheck lint <${dockerfiles.length} Dockerfiles> --format json\` (one process)`, `${cliRuns.length}`, ms(cliMs), ms(cliMs / scripts.length), `${cliFindings} findings (${cliScriptFiles} scripts have some)`]];
  rows.push(['stopcheck `--version` (node start-up + loading the bundle; included above)', '3', ms(median(fixed)), '–', '–']);
  const notes = [];
  const sc = ensureShellcheck();
  let speedup;
  if (sc.skip) {
    notes.push(`shellcheck comparison skipped: ${sc.skip}`);
    say(sc.skip);
  } else {
    const scVersion = /version:\s*(\S+)/.exec(spawnSync(sc.path, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
    const scRuns = [];
    let scFindings = 0;
    for (let i = 0; i < 3; i++) {
      await waitForQuiet(30);
      const outFile = path.join(outDir, 'shellcheck.json');
      const r = await runCmd(sc.path, ['-f', 'json1', ...scripts], { cwd: SERVICES, stdoutFile: outFile, timeoutMs: 600_000 });
      if (r.code !== 0 && r.code !== 1) throw new Error(`shellcheck failed (${r.code} ${r.signal ?? ''}): ${r.stderr.slice(0, 2000)}`);
      scRuns.push(r.ms);
      scFindings = JSON.parse(fs.readFileSync(outFile, 'utf8')).comments.length;
      if (r.ms > 20_000) break; // slow enough that one run is a fair figure; keep the bench short
    }
    const scMs = median(scRuns);
    speedup = scMs / cliMs;
    rows.push([`shellcheck ${scVersion}: \`shellcheck -f json1 <${scripts.length} scripts>\` (one process)`, `${scRuns.length}`, ms(scMs), ms(scMs / scripts.length), `${scFindings} comments`]);
    notes.push(`stopcheck is **${ratio(speedup)} faster** than shellcheck over the same ${scripts.length} scripts (goal ≥ 10×: ${met(speedup >= 10)}).`);
  }
  notes.push(`Files: the ${scripts.length} start scripts (${scriptLines} lines in all) that the launch chains of ${dockerfiles.length} Dockerfiles reach (checked in process above). `
    + 'Wall time from spawn to exit, median of the runs; output goes to a file.');
  notes.push('What each side does. stopcheck: starts node, loads the bundle and the tree-sitter wasm, lists nothing (paths given), parses each Dockerfile, '
    + 'follows COPY/ADD to the start scripts, parses each script with tree-sitter-bash and works out how it ends (exec or not, in every branch), its traps, '
    + 'background jobs and waits, builds every launch chain and runs all rules, then writes JSON. It checks the scripts for one thing: what happens to the stop signal. '
    + 'shellcheck: parses every script with its own full parser and runs its whole general-purpose lint (hundreds of checks: quoting, portability, '
    + 'unused variables …) — far broader than stopcheck\'s, so this compares the cost of answering stopcheck\'s question, not equal work.');
  table('Start scripts: the stopcheck CLI vs shellcheck, 1,000 scripts, one process each', ['run', 'runs', 'wall (median)', 'per script', 'output'], rows, notes);
  return { speedup, cliMs };
}

// ------------------------------------------------------------------------------------------------
// 3–4. The language server over real JSON-RPC.

const rpc = require('vscode-jsonrpc/node');

class Lsp {
  constructor(env = {}, server = SERVER) {
    this.spawnedAt = performance.now();
    this.child = track(spawn(process.execPath, [server, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
    this.stderr = '';
    this.child.stderr.on('data', (b) => { this.stderr += b; });
    this.logs = [];
    this.waiters = [];
    this.logWaiters = [];
    this.publishCount = 0;
    this.lastVersion = new Map();
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      for (const w of this.waiters.splice(0)) w.reject(new Error(`server exited (${code ?? signal}): ${this.stderr.slice(-2000)}`));
      resolve();
    }));
    this.conn = rpc.createMessageConnection(new rpc.StreamMessageReader(this.child.stdout), new rpc.StreamMessageWriter(this.child.stdin));
    this.conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onNotification('window/logMessage', (p) => {
      this.logs.push(p.message);
      this.logWaiters = this.logWaiters.filter((w) => !(w.re.test(p.message) && (w.resolve(p.message), true)));
    });
    this.conn.onNotification('textDocument/publishDiagnostics', (p) => {
      const t = performance.now();
      this.publishCount++;
      this.lastVersion.set(p.uri, p.version);
      this.waiters = this.waiters.filter((w) => !(w.uri === p.uri && w.accept(p) && (w.resolve({ t, p }), true)));
    });
    this.conn.onError(() => { /* surfaced through exit and timeouts */ });
    this.conn.listen();
  }

  waitPublish(uri, accept = () => true, timeoutMs = 120_000) {
    let timer;
    const p = new Promise((resolve, reject) => {
      const w = { uri, accept, resolve: (x) => { clearTimeout(timer); resolve(x); }, reject };
      this.waiters.push(w);
      timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for diagnostics of ${uri}; stderr: ${this.stderr.slice(-1000)}`));
      }, timeoutMs);
    });
    return p;
  }

  waitLog(re, timeoutMs = 300_000) {
    const hit = this.logs.find((l) => re.test(l));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for log ${re}`)), timeoutMs);
      this.logWaiters.push({ re, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  async initialize(folder) {
    const uri = pathToFileURL(folder).toString();
    const res = await this.conn.sendRequest('initialize', {
      processId: process.pid, clientInfo: { name: 'stopcheck-bench' }, rootUri: uri, workspaceFolders: [{ uri, name: path.basename(folder) }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
        textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
    });
    this.initializedAt = performance.now();
    await this.conn.sendNotification('initialized', {});
    return res;
  }

  open(file, text, version = 1) {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(file).toString(), languageId: languageOf(file), version, text } });
  }

  change(file, version, changes) {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: pathToFileURL(file).toString(), version }, contentChanges: changes });
  }

  memory() {
    const s = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s*(\\d+)`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  }

  async stop() {
    if (!this.exitInfo) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), new Promise((_, rej) => setTimeout(() => rej(new Error('shutdown timeout')), 5000))]);
        await this.conn.sendNotification('exit');
      } catch { /* killed below */ }
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
      if (!this.exitInfo) this.child.kill('SIGKILL');
      await this.exited;
    }
    this.conn.dispose();
  }
}

function languageOf(file) {
  const b = path.basename(file);
  if (/^(Dockerfile|Containerfile)/.test(b)) return 'dockerfile';
  if (/^(docker-)?compose.*\.ya?ml$/.test(b)) return 'dockercompose';
  if (/\.ya?ml$/.test(b)) return 'yaml';
  return 'shellscript';
}

/**
 * Type `edits` keystrokes into a comment line near the top of `file` (half typing, half deleting),
 * one at a time: send didChange, wait until `waitFile`'s diagnostics are published, then the next.
 */
async function editLoop(lsp, file, version, waitFile, edits) {
  const uri = pathToFileURL(file).toString();
  const waitUri = pathToFileURL(waitFile).toString();
  const cross = waitUri !== uri;
  const published = (v) => {
    const own = lsp.waitPublish(uri, (p) => p.version === v);
    // The Dockerfile's publish that follows the script's publish of this version (the server
    // publishes the script first, then the sources that run it); earlier ones are stale.
    const other = cross ? lsp.waitPublish(waitUri, () => lsp.lastVersion.get(uri) === v) : undefined;
    return Promise.all([own, other]).then(([a, b]) => (b ?? a).t);
  };
  let v = version + 1;
  let done = published(v);
  await lsp.change(file, v, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '# bench: \n' }]);
  await done;
  const col0 = '# bench: '.length;
  const lat = [];
  for (let i = 0; i < edits; i++) {
    v++;
    const typing = i < edits / 2;
    const col = typing ? col0 + i : col0 + (edits - 1 - i);
    const change = typing
      ? { range: { start: { line: 1, character: col }, end: { line: 1, character: col } }, text: 'abcdefghijklmnopqrstuvwxyz'[i % 26] }
      : { range: { start: { line: 1, character: col }, end: { line: 1, character: col + 1 } }, text: '' };
    done = published(v);
    const t = performance.now();
    await lsp.change(file, v, [change]);
    lat.push((await done) - t);
  }
  return { lat, version: v };
}

async function openAndWait(lsp, file) {
  const text = fs.readFileSync(file, 'utf8');
  const p = lsp.waitPublish(pathToFileURL(file).toString(), (x) => x.version === 1);
  await lsp.open(file, text);
  await p;
}

async function serverLatency(corpus, debounce) {
  const env = debounce === undefined ? {} : { STOPCHECK_DEBOUNCE_MS: String(debounce) };
  const lsp = new Lsp(env);
  const out = { cases: [] };
  try {
    await lsp.initialize(CORPUS);
    const t0 = performance.now();
    const msg = await lsp.waitLog(/indexed \d+ file/);
    out.indexed = msg;
    out.indexMs = Number(/in (\d+) ms/.exec(msg)?.[1] ?? NaN);
    out.indexWall = performance.now() - t0;
    out.afterIndex = lsp.memory();
    const cases = debounce === undefined ? corpus.latencyCases.slice(0, 1) : corpus.latencyCases;
    for (const cs of cases) {
      await waitForQuiet(30);
      for (const f of cs.open) await openAndWait(lsp, f);
      const { lat } = await editLoop(lsp, cs.edit, 1, cs.wait, cs.kind === 'info' ? Math.min(EDITS, 60) : EDITS);
      out.cases.push({ ...cs, lat });
      say(`latency ${cs.label} (debounce ${debounce ?? 'default'}): p50 ${ms(median(lat))}, p99 ${ms(pct(lat, 99))}`);
    }
    if (debounce !== undefined) {
      // Open everything in the corpus as editor documents, then read the server's memory.
      const all = [];
      const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else all.push(p);
        }
      };
      walk(CORPUS);
      const opened = new Set(corpus.latencyCases.flatMap((c) => c.open));
      const toOpen = all.filter((f) => !opened.has(f)).sort();
      const t = performance.now();
      const waits = [];
      for (const f of toOpen) {
        const uri = pathToFileURL(f).toString();
        if (languageOf(f) !== 'shellscript') waits.push(lsp.waitPublish(uri, (x) => x.version === 1, 600_000));
        await lsp.open(f, fs.readFileSync(f, 'utf8'));
      }
      await Promise.all(waits);
      await new Promise((r) => setTimeout(r, 500));
      out.openAll = { files: toOpen.length + opened.size, ms: performance.now() - t, mem: lsp.memory() };
      say(`opened ${out.openAll.files} documents in ${ms(out.openAll.ms)}; RSS ${mb(out.openAll.mem.rss)}`);
    }
  } finally {
    await lsp.stop();
  }
  return out;
}

/** Spawn a server on the whole corpus and open one Dockerfile at once: when do its diagnostics come? */
async function coldStartCorpus(dockerfile) {
  await waitForQuiet(30);
  const lsp = new Lsp();
  try {
    await lsp.initialize(CORPUS);
    const p = lsp.waitPublish(pathToFileURL(dockerfile).toString(), (x) => x.version === 1, 300_000);
    await lsp.open(dockerfile, fs.readFileSync(dockerfile, 'utf8'));
    const { t } = await p;
    const log = await lsp.waitLog(/indexed \d+ file/);
    return { total: t - lsp.spawnedAt, log: log.replace(/^stopcheck: /, '') };
  } finally {
    await lsp.stop();
  }
}

/** The server's initial index of `folder`: the time it logs, and the wall time to that log. */
async function serverIndex(folder) {
  await waitForQuiet(30);
  const lsp = new Lsp();
  try {
    await lsp.initialize(folder);
    const log = await lsp.waitLog(/indexed \d+ file/, 900_000);
    const m = /indexed (\d+) file\(s\) in (\d+) ms/.exec(log);
    return { sources: Number(m?.[1]), ms: Number(m?.[2]), wall: performance.now() - lsp.spawnedAt, mem: lsp.memory() };
  } finally {
    await lsp.stop();
  }
}

async function coldStart(folder, dockerfile, n, server = SERVER) {
  const runs = [];
  const text = fs.readFileSync(dockerfile, 'utf8');
  for (let i = 0; i < n; i++) {
    await waitForQuiet(30);
    const lsp = new Lsp({}, server);
    try {
      await lsp.initialize(folder);
      const p = lsp.waitPublish(pathToFileURL(dockerfile).toString(), (x) => x.version === 1, 30_000);
      await lsp.open(dockerfile, text);
      const { t } = await p;
      runs.push({ total: t - lsp.spawnedAt, init: lsp.initializedAt - lsp.spawnedAt, mem: lsp.memory() });
    } finally {
      await lsp.stop();
    }
  }
  return runs;
}

// ------------------------------------------------------------------------------------------------
// 4. Package size.

/**
 * The .vsix: stopcheck.vsix if it is there; otherwise `node scripts/build.mjs --production` and
 * `npx vsce package --no-dependencies -o /tmp/bench.vsix`, run in a staging copy of the repository
 * (sources, package.json, docs, node_modules linked) so the work tree's dist/ is never replaced
 * under an editor or a test that is using it. Returns the staging dist/server.js for a cold start.
 */
async function vsixSize() {
  const existing = path.join(ROOT, 'stopcheck.vsix');
  if (fs.existsSync(existing)) return { file: existing, size: fs.statSync(existing).size, how: 'stopcheck.vsix as found in the repository root' };
  if (SKIP_VSIX) return { skip: 'skipped (--skip-vsix)' };
  const out = path.join(os.tmpdir(), 'bench.vsix');
  fs.rmSync(out, { force: true });
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-vsix-'));
  stagingDirs.add(stage);
  for (const rel of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'tsconfig.json', 'scripts/build.mjs', 'client/src', 'server/src', 'syntaxes', 'docs/rules']) {
    const src = path.join(ROOT, rel);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(stage, rel), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  say('no stopcheck.vsix: node scripts/build.mjs --production, then npx vsce package (in a staging copy)');
  const b = await runCmd(process.execPath, [path.join(stage, 'scripts', 'build.mjs'), '--production'], { cwd: stage });
  if (b.code !== 0) return { skip: `production build failed: ${b.stderr.slice(0, 500)}` };
  const v = await runCmd('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '-o', out], { cwd: stage, timeoutMs: 300_000 });
  if (v.code !== 0 || !fs.existsSync(out)) return { skip: `vsce package failed (${v.code}): ${(v.stderr || v.stdout).slice(0, 500)}` };
  const listing = spawnSync('unzip', ['-l', out], { encoding: 'utf8' });
  const biggest = listing.status === 0
    ? listing.stdout.split('\n').map((l) => /^\s*(\d+)\s+\S+\s+\S+\s+(\S+)$/.exec(l)).filter(Boolean).map((m) => [Number(m[1]), m[2]])
      .sort((a, b) => b[0] - a[0]).slice(0, 5).map(([sz, n]) => `${n.replace(/^extension\//, '')} ${mb(sz)}`)
    : [];
  return {
    file: out, size: fs.statSync(out).size, biggest, productionServer: path.join(stage, 'dist', 'server.js'),
    how: '`npx vsce package --no-dependencies -o /tmp/bench.vsix` after `node scripts/build.mjs --production`, in a staging copy of the repository',
  };
}

// ------------------------------------------------------------------------------------------------
// 5. Scaling.

function countFiles(dir) {
  let n = 0;
  const kinds = { dockerfile: 0, yaml: 0, script: 0 };
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        n++;
        kinds[languageOf(p) === 'dockerfile' ? 'dockerfile' : /\.ya?ml$/.test(p) ? 'yaml' : 'script']++;
      }
    }
  };
  walk(dir);
  return { n, ...kinds };
}

async function lintDir(dir, outFile) {
  await waitForQuiet(30);
  const r = await runCmd(process.execPath, [CLI, 'lint', dir, '--format', 'json', '--fail-on', 'never'], { cwd: ROOT, stdoutFile: outFile, timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`stopcheck lint ${dir} failed (${r.code} ${r.signal ?? ''}): ${r.stderr.slice(0, 2000)}`);
  const findings = JSON.parse(fs.readFileSync(outFile, 'utf8')).length;
  return { ms: r.ms, findings };
}

async function scaling() {
  const outDir = path.join(BENCH, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const one = [];
  for (let i = 0; i < 2; i++) one.push(await lintDir(SERVICES, path.join(outDir, 'scale-1.json')));
  const t1 = median(one.map((x) => x.ms));
  let factors = [10, 100];
  let note = `1×, 10×, 100× the corpus`;
  if (QUICK) {
    factors = [5];
    note = '--quick: 1× and 5× only';
  } else if ((10 + 100) * t1 > 600_000) {
    factors = [5, 25];
    note = `1×, 5×, 25×: at ${ms(t1)} for 1×, 10× and 100× would take about ${ms(110 * t1)} — more than ~10 minutes`;
  }
  const base = countFiles(SERVICES);
  const idx = [{ f: 1, ...(await serverIndex(SERVICES)) }];
  const rows = [['1×', base.n, `${base.dockerfile} / ${base.script} / ${base.yaml}`, ms(t1), ms(t1 / base.n), ms(t1 / (base.dockerfile + base.yaml)), one[0].findings, '1.00']];
  const results = [{ f: 1, ms: t1, files: base.n }];
  for (const f of factors) {
    const dir = path.join(SCALE, `x${f}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const tg = performance.now();
    // Copies with their own service names (c01-svc-000 …), so every copy's images map to its own
    // Dockerfiles as in the 1× corpus; otherwise the content is the same.
    for (let c = 0; c < f; c++) genServices(path.join(dir, `copy-${String(c).padStart(2, '0')}`), `c${String(c).padStart(2, '0')}-`);
    say(`generated ${f}× corpus in ${ms(performance.now() - tg)}`);
    const cnt = countFiles(dir);
    const r = await lintDir(dir, path.join(outDir, `scale-${f}.json`));
    results.push({ f, ms: r.ms, files: cnt.n });
    if (f === factors[0]) idx.push({ f, ...(await serverIndex(dir)) });
    rows.push([`${f}×`, cnt.n, `${cnt.dockerfile} / ${cnt.script} / ${cnt.yaml}`, ms(r.ms), ms(r.ms / cnt.n), ms(r.ms / (cnt.dockerfile + cnt.yaml)), r.findings,
      ((r.ms / cnt.n) / (t1 / base.n)).toFixed(2)]);
    say(`${f}×: ${ms(r.ms)}`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const last = results[results.length - 1];
  const growth = (last.ms / last.files) / (t1 / base.n);
  table('Scaling: `stopcheck lint <dir> --format json` over copies of the corpus', ['corpus', 'files', 'Dockerfiles / scripts / YAML', 'wall', 'per file', 'per Dockerfile or YAML', 'findings', 'per-file time vs 1×'], rows, [
    `${note}. One process each; wall time from spawn to exit (1×: median of 2). The CLI lists the folder with git, reads every Dockerfile and YAML file, and reaches the scripts through them.`,
    `Per-file time at ${last.f}× is ${growth.toFixed(2)}× the 1× figure (linear would be about 1.0; goal: linear — ${met(growth <= 1.25)}, judged as within 1.25×).`,
  ]);
  if (idx.length > 1) {
    const [a, b] = idx;
    table('Scaling: the language server\'s initial workspace index', ['workspace', 'sources indexed', 'index time (server log)', 'per source', 'per-source time vs 1×', 'RSS after'],
      idx.map((x) => [`${x.f}× corpus`, x.sources, ms(x.ms), ms(x.ms / x.sources), ((x.ms / x.sources) / (a.ms / a.sources)).toFixed(2), mb(x.mem.rss)]),
      [`The server indexes (analyses) every Dockerfile and YAML file of its workspace folders once after \`initialized\`, in slices of about 10 ms (open documents first, edits answered between slices). Per-source time at ${b.f}× is `
        + `${((b.ms / b.sources) / (a.ms / a.sources)).toFixed(2)}× the 1× figure (linear: about 1.0).`]);
  }
  return { growth, results };
}

// ------------------------------------------------------------------------------------------------

/** Superlinear spots inside one file: flat scripts of N top-level commands; prefixes of the large manifest. */
async function withinOneFile(corpus) {
  const c = core();
  await c.initParsers();
  const rows = [];
  const best = (n, fn) => { fn(); return median(timeEach(n, fn)); };
  let first;
  for (const n of [1000, 2000, 4000, 8000]) {
    const text = `#!/bin/sh\n${Array.from({ length: n }, (_, i) => `echo "step ${i}" > /tmp/step-${i}`).join('\n')}\nexec /usr/local/bin/app\n`;
    const all = best(3, () => c.analyzeScript(text));
    const parse = best(3, () => c.withShellTree(text, () => 0));
    first ??= all / n;
    rows.push([`script, ${n} top-level commands`, ms(all), ms(parse), ms(all - parse), `${ms((all / n) * 1000)} per 1,000 commands`, ((all / n) / first).toFixed(2)]);
  }
  const manifest = fs.readFileSync(corpus.large.manifest, 'utf8');
  let firstY;
  for (const frac of [0.25, 0.5, 1]) {
    const cut = frac === 1 ? manifest.length : manifest.indexOf('---\n', Math.floor(manifest.length * frac));
    const text = manifest.slice(0, cut);
    const lines = text.split('\n').length - 1;
    const all = best(3, () => { c.clearTextCaches(); return c.analyzeYaml(corpus.large.manifest, text); });
    firstY ??= all / lines;
    rows.push([`manifest, first ${lines} lines`, ms(all), '–', '–', `${ms((all / lines) * 1000)} per 1,000 lines`, ((all / lines) / firstY).toFixed(2)]);
  }
  table('Scaling inside one file (in process)', ['input', 'analysis', 'parse alone', 'the rest', 'per unit', 'per-unit time vs first row'], rows, [
    'analyzeScript on a script of N one-line top-level commands, and analyzeYaml on growing prefixes of the large manifest (no image→Dockerfile mapping; caches emptied before each run, time included). Median of 3 after one untimed run.',
  ]);
}

async function main() {
  const started = new Date();
  const mach = machine();
  await ensureBuilt();
  let printed = 0;
  const flush = () => {
    for (const t of report.slice(printed)) process.stdout.write(`\n${renderTable(t)}\n`);
    printed = report.length;
  };
  const sect = async (name, fn) => {
    const r = await section(name, fn);
    flush();
    return r;
  };
  table('Machine', ['what', 'value'], [
    ['CPU', mach.model], ['cores (nproc)', mach.nproc], ['memory', mach.mem], ['node', mach.node], ['OS', mach.os], ['server bundle', bundleKind()],
    ['stopcheck source', sourceState()],
    ['load average (1, 5, 15 min) at the start', mach.load],
  ], ['Other processes skew every figure: each section waits (up to 90 s) for the machine to be quiet and then says how much CPU other processes used while it ran.']);
  flush();

  say('generating the corpus');
  const corpus = generateCorpus();
  const { svc, large } = corpus;
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  table('The corpus (bench-corpus/, seeded: the same files on every run)', ['files', 'count', 'lines (min–max, total)'], [
    ['Dockerfiles (multi-stage, ARG in FROM, shell/exec form, COPY of start scripts)', svc.dockerfiles.length, `${Math.min(...svc.lines.dockerfile)}–${Math.max(...svc.lines.dockerfile)}, ${sum(svc.lines.dockerfile)}`],
    ['start scripts (sh/bash; if, case, functions, traps, heredocs)', svc.lines.script.length, `${Math.min(...svc.lines.script)}–${Math.max(...svc.lines.script)}, ${sum(svc.lines.script)}`],
    ['Kubernetes manifests (multi-document) and Compose files', svc.yaml.length, `${Math.min(...svc.lines.yaml)}–${Math.max(...svc.lines.yaml)}, ${sum(svc.lines.yaml)}`],
    ['large Dockerfile', 1, `${large.dockerfileLines}`],
    ['large start script (run by a typical Dockerfile)', 1, `${large.scriptLines}`],
    ['large multi-document manifest', 1, `${large.manifestLines} (${large.manifestDocs} documents; images of svc-000…svc-${String(large.manifestServices - 1).padStart(3, '0')})`],
  ], [`Generated in ${ms(corpus.ms)} into bench-corpus/corpus/ (services/ is "the corpus" for scaling; large/ holds the three large files).`]);
  flush();
  if (CORPUS_ONLY) return;

  // Latency cases: a typical Dockerfile (median length, its image not used by the large manifest),
  // one whose image the large manifest uses, the large files.
  const byLen = svc.dockerfiles.map((f, i) => ({ f, n: svc.lines.dockerfile[i], i })).filter((x) => x.i >= large.manifestServices);
  byLen.sort((a, b) => a.n - b.n);
  const typical = byLen[Math.floor(byLen.length / 2)];
  const referenced = svc.dockerfiles.map((f, i) => ({ f, n: svc.lines.dockerfile[i], i })).filter((x) => x.i < large.manifestServices && fs.existsSync(path.join(path.dirname(x.f), 'k8s')));
  const shared = referenced[Math.floor(referenced.length / 2)];
  corpus.latencyCases = [
    { label: `typical Dockerfile (${path.relative(CORPUS, typical.f)}, ${typical.n} lines)`, kind: 'typical', open: [typical.f], edit: typical.f, wait: typical.f },
    { label: `${large.dockerfileLines}-line Dockerfile`, kind: 'largest', open: [large.dockerfile], edit: large.dockerfile, wait: large.dockerfile },
    { label: `${large.scriptLines}-line script → its Dockerfile's diagnostics (cross-file)`, kind: 'largest', open: [large.scriptDockerfile, large.script], edit: large.script, wait: large.scriptDockerfile },
    { label: `${large.manifestLines}-line manifest (${large.manifestDocs} documents)`, kind: 'largest', open: [large.manifest], edit: large.manifest, wait: large.manifest },
    { label: `Dockerfile whose image the ${large.manifestLines}-line manifest also runs (${path.relative(CORPUS, shared.f)}, ${shared.n} lines)`, kind: 'info', open: [shared.f], edit: shared.f, wait: shared.f },
  ];

  const ip = want('perfile') || want('shellcheck') ? await sect('per-file analysis in one process', () => inProcess(corpus)) : undefined;
  const sc = want('shellcheck') ? await sect('the CLI over 1,000 scripts vs shellcheck', () => cliVsShellcheck(corpus, ip.reached)) : undefined;

  const lat0 = !want('latency') && !want('startup') ? undefined : await sect('editor latency (debounce 0) and memory with the corpus open', async () => {
    const lat0 = await serverLatency(corpus, 0);
    const latD = await serverLatency(corpus, undefined);
    const rows = [];
    for (const c of lat0.cases) {
      const goal = c.kind === 'typical' ? 20 : c.kind === 'largest' ? 100 : undefined;
      rows.push([c.label, '0 ms', c.lat.length, ms(median(c.lat)), ms(pct(c.lat, 99)), ms(Math.max(...c.lat)), goal ? `p99 < ${goal} ms` : '–', met(goal ? pct(c.lat, 99) < goal : undefined)]);
    }
    for (const c of latD.cases) rows.push([c.label, 'default (40 ms)', c.lat.length, ms(median(c.lat)), ms(pct(c.lat, 99)), ms(Math.max(...c.lat)), '–', '–']);
    table('Editor latency: didChange → publishDiagnostics over JSON-RPC (stdio) to dist/server.js', ['document edited', 'debounce', 'edits', 'p50', 'p99', 'max', 'goal', ''], rows, [
      `Workspace: bench-corpus/corpus/ (the whole corpus, ${lat0.indexed?.replace(/^stopcheck: /, '') ?? '?'}), so each edit also re-analyses every file that depends on the edited one. `
        + 'Each edit types or deletes one character in a comment line; the next edit is sent once the diagnostics for the previous one have arrived. '
        + 'Measured from sending didChange to receiving the publishDiagnostics that carries the new version (cross-file: the Dockerfile\'s publish that follows the script\'s).',
      'With the default debounce the server waits 40 ms after the last keystroke before analysing, so every figure includes those 40 ms.',
    ]);
    return lat0;
  });

  const startup = !want('startup') ? undefined : await sect('start-up, size, memory', async () => {
    const coldDir = path.dirname(typical.f);
    const cold = await coldStart(coldDir, typical.f, QUICK ? 3 : 7);
    const coldTotals = cold.map((x) => x.total);
    const kind = bundleKindShort();
    const vsix = await vsixSize();
    let coldProd;
    if (vsix.productionServer) coldProd = await coldStart(coldDir, typical.f, QUICK ? 3 : 7, vsix.productionServer);
    const srows = [
      [`server cold start: spawn → initialize → didOpen → first publishDiagnostics (${kind}, workspace: one project)`, `${ms(median(coldTotals))} (min ${ms(Math.min(...coldTotals))}, max ${ms(Math.max(...coldTotals))}, ${cold.length} runs)`, '< 300 ms', met(median(coldTotals) < 300)],
      ['  of which spawn → initialize answered', ms(median(cold.map((x) => x.init))), '–', '–'],
    ];
    let coldMain = median(coldTotals);
    if (coldProd) {
      const t = coldProd.map((x) => x.total);
      coldMain = median(t);
      srows.push(['server cold start, production bundle (as in the .vsix)', `${ms(median(t))} (min ${ms(Math.min(...t))}, max ${ms(Math.max(...t))}, ${t.length} runs)`, '< 300 ms', met(median(t) < 300)]);
    }
    if (vsix.skip) srows.push(['.vsix size', vsix.skip, '< 2 MB', '–']);
    else srows.push([`.vsix size (${vsix.how})`, `${mb(vsix.size)}${vsix.biggest?.length ? `; largest entries (uncompressed): ${vsix.biggest.join(', ')}` : ''}`, '< 2 MB', met(vsix.size < 2 * 1024 * 1024)]);
    const act = clientActivation(QUICK ? 1 : 3);
    if (act.skip) srows.push(['client activation in VS Code', act.skip, '–', '–']);
    else {
      const a = act.xs.map((x) => x.activateMs);
      srows.push([`client activation in VS Code (code-server; activate() until the language server is started and initialized, ${bundleKindShort()})`,
        `${ms(median(a))} (min ${ms(Math.min(...a))}, max ${ms(Math.max(...a))}, ${a.length} runs)`, '–', '–']);
      srows.push(['  of which starting the language server', ms(median(act.xs.map((x) => x.serverStartMs))), '–', '–']);
    }
    const coldBig = await coldStartCorpus(typical.f);
    srows.push([`server cold start with the whole corpus as the workspace (${coldBig.log}): spawn → first diagnostics of a Dockerfile opened at once`, ms(coldBig.total), '–', '–']);
    srows.push(['server RSS after the first diagnostics, one-project workspace', mb(median(cold.map((x) => x.mem.rss))), '–', '–']);
    srows.push([`server RSS after indexing the corpus workspace (${lat0.indexed?.replace(/^stopcheck: /, '') ?? '?'})`, mb(lat0.afterIndex.rss), '–', '–']);
    if (lat0.openAll) {
      srows.push([`server RSS with all ${lat0.openAll.files} corpus files open as documents (after the edits above)`, `${mb(lat0.openAll.mem.rss)} (peak ${mb(lat0.openAll.mem.hwm)})`, '–', '–']);
      srows.push([`opening those ${lat0.openAll.files} documents (didOpen each → all diagnostics published)`, ms(lat0.openAll.ms), '–', '–']);
    }
    table('Start-up, size, memory', ['what', 'figure', 'goal', ''], srows, [
      'Cold start: the time from spawning `node dist/server.js --stdio` until the publishDiagnostics of a Dockerfile opened right after `initialized`; '
        + 'the server also indexes its workspace folder first (here the Dockerfile\'s own project: a Dockerfile, its start scripts, maybe a manifest and a Compose file).',
      'RSS is VmRSS from /proc/PID/status of the server process (peak: VmHWM). The memory rows with the corpus come from the latency section\'s server.',
    ]);
    return { coldMain, vsix, coldProd: !!coldProd };
  });

  const scale = want('scaling') ? await sect('scaling', () => scaling()) : undefined;
  if (want('within')) await sect('scaling inside one file', () => withinOneFile(corpus));

  const summary = [
    ...(!ip ? [] : [
      ['Dockerfile analysis vs dockerfile-utils validate(), mean per file (start scripts analysed as files of their own)', ratio(ip.rEdit), '≤ 1.0×', met(ip.rEdit <= 1)],
      ['  for the record: cold, with reading and parsing its start scripts counted in (validate() reads none)', ratio(ip.r1), '–', '–'],
    ]),
    ...(!sc ? [] : [['CLI over 1,000 scripts vs shellcheck', sc.speedup ? `${ratio(sc.speedup)} faster` : 'skipped', '≥ 10× faster', met(sc.speedup ? sc.speedup >= 10 : undefined)]]),
    ...(lat0?.cases ?? []).filter((c) => c.kind !== 'info').map((c) => [`p99 latency, ${c.label}`, ms(pct(c.lat, 99)), c.kind === 'typical' ? '< 20 ms' : '< 100 ms', met(pct(c.lat, 99) < (c.kind === 'typical' ? 20 : 100))]),
    ...(!startup ? [] : [
      [`server cold start to first diagnostics (${startup.coldProd ? 'production bundle' : bundleKindShort()})`, ms(startup.coldMain), '< 300 ms', met(startup.coldMain < 300)],
      ['.vsix size', startup.vsix.size ? mb(startup.vsix.size) : 'skipped', '< 2 MB', met(startup.vsix.size ? startup.vsix.size < 2 * 1024 * 1024 : undefined)],
    ]),
    ...(!scale ? [] : [[`CLI scaling, per-file time at ${scale.results[scale.results.length - 1].f}× vs 1×`, `${scale.growth.toFixed(2)}×`, 'linear (≤ 1.25×)', met(scale.growth <= 1.25)]]),
  ];
  const took = (Date.now() - started.getTime()) / 1000;
  mach.loadEnd = loadavg();
  table('Summary: goals', ['figure', 'this run', 'goal', ''], summary, [
    `Other processes' share of the CPU per section: ${foreignLog.map((x) => `${x.section} ${x.pct.toFixed(1)}%`).join('; ')}. Load average at the end: ${mach.loadEnd}.`,
    `The whole bench took ${Math.round(took)} s.`,
  ]);
  flush();
  say(`done in ${took.toFixed(0)} s`);
  if (OUT) writeDoc(OUT, mach, started, took);
}

/**
 * The extension's own activation time in a real VS Code: the end-to-end runner starts code-server on a
 * copy of examples/ and runs only the host-suite test that reads the figure the extension measured.
 */
function clientActivation(runs) {
  if (!fs.existsSync(path.join(ROOT, '.e2e', 'tools', 'node_modules', 'code-server'))) {
    return { skip: 'skipped: the end-to-end tools are not installed (`npm test` installs them into .e2e/)' };
  }
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const out = path.join(os.tmpdir(), `stopcheck-bench-timings-${process.pid}-${i}.json`);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'test', 'e2e', 'run.mjs'), '--only=host'], {
      cwd: ROOT, encoding: 'utf8', timeout: 180_000,
      env: { ...process.env, STOPCHECK_E2E_GREP: 'reports its activation time', STOPCHECK_TIMINGS_OUT: out },
    });
    try {
      xs.push(JSON.parse(fs.readFileSync(out, 'utf8')));
      fs.rmSync(out, { force: true });
    } catch {
      return { skip: `skipped: the VS Code run did not report a figure (${(r.stdout ?? '').trim().split('\n').pop() || r.error?.message || 'no output'})` };
    }
  }
  return { xs };
}

function bundleKindShort(force) {
  if (force === 'dev') return 'development bundle';
  return bundleKind().startsWith('minified') ? 'production bundle' : 'development bundle';
}

function writeDoc(file, mach, started, took) {
  const order = ['Summary: goals', 'Machine'];
  const first = order.map((t) => report.find((x) => x.title === t)).filter(Boolean);
  const rest = report.filter((x) => !order.includes(x.title));
  const text = [
    '# Performance',
    '',
    `Figures from one run of \`node ${['scripts/bench.mjs', ...argv.map((x) => (x === OUT ? path.relative(ROOT, x) : x))].join(' ')}\` (what \`npm run bench\` runs, `
      + `plus \`--out\` to write this file) on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC, `
      + `${mach.nproc} cores (${mach.model}), ${mach.mem}, node ${mach.node}; the run took ${Math.round(took)} s. `
      + 'The bench prints figures, not pass/fail; each goal below says whether this run met it. Re-run it to check a change: '
      + 'it generates the same corpus every time (seeded), so runs on the same machine are comparable.',
    '',
    ...[...first, ...rest].map((t) => `${renderTable(t).replace(/^### /, '## ')}\n`),
  ].join('\n');
  fs.writeFileSync(file, text);
  say(`wrote ${path.relative(ROOT, file)}`);
}

main().then(() => {
  killAll();
}, (e) => {
  killAll();
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exitCode = 1;
});
