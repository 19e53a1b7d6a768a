// Kubernetes manifests and Compose files, read with the `yaml` package keeping exact ranges, reduced
// to what the launch chain needs: containers/services with their command overrides and stop policy.
import { parseAllDocuments, isMap, isSeq, isScalar, isAlias, type Node as YNode, type YAMLMap, type Pair, type Document } from 'yaml';
import type { Location, Position, Range } from './types';
import { LineIndex } from './text';
import { TextCache } from './cache';
import type { Word } from './chain';

export interface YStr {
  value: string;
  range: Range;
}

export interface CommandSpec {
  /** Exec form (a list) or a plain string. */
  form: 'list' | 'string';
  words: Word[];
  /** The key's range (for findings on the key). */
  keyRange: Range;
  range: Range;
  raw?: string;
}

export interface PreStopSpec {
  kind: 'exec' | 'sleep' | 'httpGet' | 'tcpSocket' | 'unknown';
  /** Seconds the hook takes, when it is known (sleep action, `sleep N` commands). */
  seconds?: number;
  command?: Word[];
  range: Range;
  keyRange: Range;
  /** The command as one string, for pattern checks. */
  text?: string;
}

export interface KubeContainer {
  name: YStr;
  image?: YStr;
  command?: CommandSpec;
  args?: CommandSpec;
  preStop?: PreStopSpec;
  stopSignal?: YStr;
  /** An init container with restartPolicy: Always. */
  sidecar: boolean;
  range: Range;
  /** The `ports` key, when the container declares at least one containerPort. */
  ports?: Range;
  /** The `lifecycle` mapping (value), when there is one. */
  lifecycle?: { range: Range; flow: boolean };
  /** The container map's own keys. */
  keys: OwnKey[];
}

export interface KubePod {
  kind: YStr;
  name?: string;
  grace?: { value: number; range: Range; merged?: boolean };
  shareProcessNamespace?: Range;
  osName?: string;
  containers: KubeContainer[];
  /** Where the pod spec is (for findings about the pod). */
  specRange: Range;
  /** The pod spec map's own keys. */
  specKeys: OwnKey[];
}

export interface ComposeService {
  name: YStr;
  image?: YStr;
  build?: { context: string; dockerfile?: string; target?: string; range: Range };
  command?: CommandSpec;
  entrypoint?: CommandSpec;
  init?: { value: boolean; range: Range };
  stopSignal?: YStr & { merged?: boolean };
  /** `invalid`: not a Go duration (a bare number, an unknown unit): Compose refuses the file. */
  stopGrace?: { seconds?: number; raw: string; range: Range; merged?: boolean; invalid?: true };
  range: Range;
  /** The service map's own keys. */
  keys: OwnKey[];
}

export interface YamlFile {
  kind: 'kubernetes' | 'compose' | 'other' | 'template';
  pods: KubePod[];
  services: ComposeService[];
  errors: string[];
  lines: LineIndex;
}

const POD_PATHS: Record<string, string[][]> = {
  Pod: [['spec']],
  Deployment: [['spec', 'template', 'spec']],
  StatefulSet: [['spec', 'template', 'spec']],
  DaemonSet: [['spec', 'template', 'spec']],
  ReplicaSet: [['spec', 'template', 'spec']],
  ReplicationController: [['spec', 'template', 'spec']],
  Job: [['spec', 'template', 'spec']],
  CronJob: [['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  PodTemplate: [['template', 'spec']],
};

export function looksTemplated(text: string): boolean {
  return /\{\{-?\s*[^}]*\}\}/.test(text);
}

export function isComposeName(file: string): boolean {
  const base = file.split('/').pop() ?? file;
  return /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/i.test(base);
}

/** The document being read, for resolving aliases (parsing is synchronous). */
let currentDoc: Document.Parsed | undefined;

/** Follow an alias (one step at a time: no expansion, so alias bombs stay small). */
function deref(v: unknown, depth = 0): unknown {
  if (isAlias(v) && currentDoc && depth < 16) return deref(v.resolve(currentDoc), depth + 1);
  return v;
}

/**
 * A YAML merge key `<<`. With `merge: true` the yaml package gives it as a Scalar whose value is a
 * Symbol (its source text is `<<`), not the string '<<'.
 */
export function isMergeKey(k: unknown): boolean {
  if (!isScalar(k)) return false;
  return k.value === '<<' || (typeof k.value === 'symbol' && (k.source === '<<' || k.value.description === '<<'));
}

/** A pair found by `get`; `merged` when it comes from a map merged in with `<<`, not the map's own. */
type FoundPair = Pair & { merged?: boolean };

/** The maps merged into `map` with `<<: *a` / `<<: [*a, *b]`, earlier ones first (they win). */
function mergeSources(map: YAMLMap): YAMLMap[] {
  const out: YAMLMap[] = [];
  for (const p of map.items) {
    if (!isMergeKey(p.key)) continue;
    const v = deref(p.value);
    for (const src of isSeq(v) ? v.items.map((x) => deref(x)) : [v]) if (isMap(src)) out.push(src);
  }
  return out;
}

/** Maps visited by one lookup at most: `<<` chains of repeated aliases (bombs) and cycles stay cheap. */
const MAX_MERGE_MAPS = 64;

function get(mapIn: YAMLMap, key: string, visited?: Set<unknown>): FoundPair | undefined {
  const map = deref(mapIn) as YAMLMap;
  if (!isMap(map)) return undefined;
  const direct = map.items.find((p) => isScalar(p.key) && !isMergeKey(p.key) && String(p.key.value) === key) as Pair | undefined;
  if (direct) return { ...direct, value: deref(direct.value) } as Pair;
  const seen = visited ?? new Set<unknown>();
  if (seen.has(map) || seen.size >= MAX_MERGE_MAPS) return undefined;
  seen.add(map);
  // YAML merge keys: the map's own keys win, then the merged maps in order.
  for (const src of mergeSources(map)) {
    const hit = get(src, key, seen);
    if (hit) return { ...hit, merged: true } as FoundPair;
  }
  return undefined;
}

/** Every key of a map, its own first, then those merged in with `<<` (each name once). */
function entries(mapIn: unknown): FoundPair[] {
  const map = deref(mapIn);
  if (!isMap(map)) return [];
  const out: FoundPair[] = [];
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (m: YAMLMap, merged: boolean) => {
    if (seen.has(m) || seen.size >= MAX_MERGE_MAPS) return;
    seen.add(m);
    for (const p of m.items) {
      if (!isScalar(p.key) || isMergeKey(p.key)) continue;
      const name = String(p.key.value);
      if (names.has(name)) continue;
      names.add(name);
      out.push({ ...p, value: deref(p.value), merged } as FoundPair);
    }
    for (const src of mergeSources(m)) visit(src, true);
  };
  visit(map, false);
  return out;
}

/** Where a key of a mapping is written: fixes replace its value instead of adding the key twice. */
export interface OwnKey {
  name: string;
  key: Range;
  /** From the end of the key to the end of the value: the colon, any tag or anchor, and the value. */
  value: Range;
  /** The value's anchor, kept when the value is replaced (aliases elsewhere point at it). */
  anchor?: string;
}

/** The map's own keys (not those merged in with `<<`). */
function ownKeys(lines: LineIndex, mapIn: unknown): OwnKey[] {
  const out: OwnKey[] = [];
  const map = deref(mapIn);
  if (!isMap(map)) return out;
  for (const p of map.items) {
    if (!isScalar(p.key) || isMergeKey(p.key) || !p.key.range) continue;
    const name = String(p.key.value);
    if (out.some((o) => o.name === name)) continue;
    const k = p.key.range;
    const v = (p.value as YNode | null)?.range;
    const anchor = (p.value as { anchor?: string } | null)?.anchor;
    // From the end of the key: the colon, any tag or anchor, and the value itself.
    out.push({ name, key: lines.rangeOf(k[0], k[1]), value: lines.rangeOf(k[1], v && v[1] >= k[1] ? v[1] : k[1]), anchor: anchor || undefined });
  }
  return out;
}

function rangeOf(lines: LineIndex, n: YNode | null | undefined): Range {
  const r = n?.range;
  if (!r) return lines.rangeOf(0, 0);
  return lines.rangeOf(r[0], r[1]);
}

function str(lines: LineIndex, n: unknown): YStr | undefined {
  if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return { value: String(n.value), range: rangeOf(lines, n) };
  return undefined;
}

/** A number written as such (or as a numeric string); not `null` (an empty value), `true` or `''`. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function walk(map: unknown, path: string[]): unknown {
  let cur: unknown = map;
  for (const k of path) {
    if (!isMap(cur)) return undefined;
    cur = get(cur, k)?.value;
  }
  return cur;
}

function command(lines: LineIndex, pair: Pair | undefined, file: string): CommandSpec | undefined {
  if (!pair) return undefined;
  const keyRange = rangeOf(lines, pair.key as YNode);
  const v = pair.value;
  if (isSeq(v)) {
    const words: Word[] = [];
    for (const it of v.items) {
      if (isScalar(it) && it.value !== null && typeof it.value !== 'object') {
        words.push({ value: String(it.value), literal: true, origin: { file, range: rangeOf(lines, it as YNode) } });
      } else return { form: 'list', words: [], keyRange, range: rangeOf(lines, v as YNode) };
    }
    return { form: 'list', words, keyRange, range: rangeOf(lines, v as YNode) };
  }
  if (isScalar(v) && typeof v.value === 'string') {
    const r = rangeOf(lines, v as YNode);
    return { form: 'string', words: [{ value: v.value, literal: true, origin: { file, range: r } }], keyRange, range: r, raw: v.value };
  }
  return undefined;
}

/** Seconds spent in `sleep N` at the start of a command (exec preStop), when readable. */
export function sleepSeconds(words: string[]): number | undefined {
  if (words.length === 0) return undefined;
  const base = words[0].split('/').pop();
  if (base === 'sleep' && words[1] && /^\d+(\.\d+)?$/.test(words[1])) return Number(words[1]);
  const c = words.indexOf('-c');
  if (base && ['sh', 'bash', 'ash', 'dash'].includes(base) && c > 0 && words[c + 1]) {
    let total = 0;
    let found = false;
    for (const m of words[c + 1].matchAll(/(?:^|[;&|\n]\s*)sleep\s+(\d+(?:\.\d+)?)/g)) {
      total += Number(m[1]);
      found = true;
    }
    return found ? total : undefined;
  }
  return undefined;
}

function preStop(lines: LineIndex, container: YAMLMap, file: string): PreStopSpec | undefined {
  const lc = get(container, 'lifecycle');
  if (!lc || !isMap(lc.value)) return undefined;
  const ps = get(lc.value, 'preStop');
  if (!ps) return undefined;
  const keyRange = rangeOf(lines, ps.key as YNode);
  const range = rangeOf(lines, ps.value as YNode);
  if (!isMap(ps.value)) return { kind: 'unknown', keyRange, range };
  const sleep = get(ps.value, 'sleep');
  if (sleep && isMap(sleep.value)) {
    const secs = get(sleep.value, 'seconds');
    const n = isScalar(secs?.value) ? num(secs!.value.value) : undefined;
    return { kind: 'sleep', seconds: Number.isFinite(n) ? n : undefined, keyRange, range: secs ? rangeOf(lines, secs.value as YNode) : range };
  }
  const exec = get(ps.value, 'exec');
  if (exec && isMap(exec.value)) {
    const cmd = command(lines, get(exec.value, 'command'), file);
    const ws = cmd?.words.map((w) => w.value) ?? [];
    return { kind: 'exec', command: cmd?.words, seconds: sleepSeconds(ws), keyRange, range: cmd?.range ?? range, text: ws.join(' ') };
  }
  if (get(ps.value, 'httpGet')) return { kind: 'httpGet', keyRange, range };
  if (get(ps.value, 'tcpSocket')) return { kind: 'tcpSocket', keyRange, range };
  return { kind: 'unknown', keyRange, range };
}

function portsOf(lines: LineIndex, container: YAMLMap): Range | undefined {
  const ports = get(container, 'ports');
  const seq = ports && deref(ports.value);
  if (!isSeq(seq)) return undefined;
  const served = seq.items.some((p) => {
    const m = deref(p);
    return isMap(m) && get(m, 'containerPort') !== undefined;
  });
  return served ? rangeOf(lines, ports!.key as YNode) : undefined;
}

function containersOf(lines: LineIndex, spec: YAMLMap, key: 'containers' | 'initContainers', file: string): KubeContainer[] {
  const seq = get(spec, key)?.value;
  if (!isSeq(seq)) return [];
  const out: KubeContainer[] = [];
  for (const c0 of seq.items) {
    const c = deref(c0);
    if (!isMap(c)) continue;
    const name = str(lines, get(c, 'name')?.value) ?? { value: '(unnamed)', range: rangeOf(lines, c as YNode) };
    const sidecar = key === 'initContainers' && String((get(c, 'restartPolicy')?.value as { value?: unknown } | undefined)?.value ?? '') === 'Always';
    if (key === 'initContainers' && !sidecar) continue;
    const lc = get(c, 'lifecycle');
    out.push({
      name, image: str(lines, get(c, 'image')?.value),
      command: command(lines, get(c, 'command'), file), args: command(lines, get(c, 'args'), file),
      preStop: preStop(lines, c, file),
      stopSignal: lc && isMap(lc.value) ? str(lines, get(lc.value, 'stopSignal')?.value) : undefined,
      sidecar, range: rangeOf(lines, c as YNode),
      ports: portsOf(lines, c),
      lifecycle: lc && isMap(lc.value) ? { range: rangeOf(lines, lc.value as YNode), flow: Boolean((lc.value as YAMLMap).flow) } : undefined,
      keys: ownKeys(lines, c),
    });
  }
  return out;
}

function podsOf(lines: LineIndex, root: unknown, file: string, depth = 0): KubePod[] {
  if (!isMap(root) || depth > 3) return [];
  const kind = str(lines, get(root, 'kind')?.value);
  if (!kind) return [];
  if (kind.value === 'List') {
    const items = get(root, 'items')?.value;
    return isSeq(items) ? items.items.flatMap((i) => podsOf(lines, i, file, depth + 1)) : [];
  }
  const paths = POD_PATHS[kind.value];
  if (!paths) return [];
  const out: KubePod[] = [];
  for (const p of paths) {
    const spec = walk(root, p);
    if (!isMap(spec)) continue;
    const graceNode = get(spec, 'terminationGracePeriodSeconds');
    const g = isScalar(graceNode?.value) ? num(graceNode!.value.value) : undefined;
    const share = get(spec, 'shareProcessNamespace');
    const os = walk(spec, ['os', 'name']);
    const metaName = walk(root, ['metadata', 'name']);
    out.push({
      kind, name: isScalar(metaName) ? String(metaName.value) : undefined,
      grace: g !== undefined && Number.isFinite(g) ? { value: g, range: rangeOf(lines, graceNode!.value as YNode), merged: graceNode!.merged || undefined } : undefined,
      shareProcessNamespace: isScalar(share?.value) && share!.value.value === true ? rangeOf(lines, share!.key as YNode) : undefined,
      osName: isScalar(os) ? String(os.value) : undefined,
      containers: [...containersOf(lines, spec, 'initContainers', file), ...containersOf(lines, spec, 'containers', file)],
      specRange: rangeOf(lines, spec as YNode),
      specKeys: ownKeys(lines, spec),
    });
  }
  return out;
}

/** Compose durations: "1m30s", "10s", "500ms", or a number of seconds. */
export function parseDuration(raw: string): number | undefined {
  const t = raw.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(t)) !== null) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : m[2] === 'ms' ? n / 1000 : n / 1e6;
    pos = re.lastIndex;
  }
  return pos === t.length && pos > 0 ? total : undefined;
}

/**
 * Seconds of a Go duration, as time.ParseDuration reads it (`30s`, `1m30s`, `1.5h`, `500ms`, `-2s`,
 * and `0`), else undefined. Compose checks `stop_grace_period` against the schema's
 * `format: duration`, which is exactly this (compose-go schema/schema.go): a bare number other than 0
 * (`30`, `"30"`) or a unit Go does not know (`1d`) makes `docker compose` refuse the file.
 */
export function goDuration(raw: string): number | undefined {
  let t = raw;
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  if (t === '0') return 0;
  if (t === '') return undefined;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    pos = re.lastIndex;
  }
  return sign * total;
}

function servicesOf(lines: LineIndex, root: unknown, file: string): ComposeService[] {
  if (!isMap(root)) return [];
  const services = get(root, 'services')?.value;
  if (!isMap(services)) return [];
  const out: ComposeService[] = [];
  for (const pair of entries(services)) {
    const name = str(lines, pair.key);
    const s = deref(pair.value);
    if (!name || !isMap(s)) continue;
    const svc: ComposeService = { name, range: rangeOf(lines, s as YNode), keys: ownKeys(lines, s) };
    svc.image = str(lines, get(s, 'image')?.value);
    const b = get(s, 'build');
    if (b) {
      if (isScalar(b.value)) svc.build = { context: String(b.value.value), range: rangeOf(lines, b.value as YNode) };
      else if (isMap(b.value)) {
        const ctx = get(b.value, 'context')?.value;
        const df = get(b.value, 'dockerfile')?.value;
        const tg = get(b.value, 'target')?.value;
        svc.build = {
          context: isScalar(ctx) ? String(ctx.value) : '.', dockerfile: isScalar(df) ? String(df.value) : undefined,
          target: isScalar(tg) ? String(tg.value) : undefined, range: rangeOf(lines, b.value as YNode),
        };
      }
    }
    svc.command = command(lines, get(s, 'command'), file);
    svc.entrypoint = command(lines, get(s, 'entrypoint'), file);
    const init = get(s, 'init');
    if (init && isScalar(init.value) && typeof init.value.value === 'boolean') svc.init = { value: init.value.value, range: rangeOf(lines, init.key as YNode) };
    const sig = get(s, 'stop_signal');
    const sigStr = str(lines, sig?.value);
    svc.stopSignal = sigStr && sig?.merged ? { ...sigStr, merged: true } : sigStr;
    const g = get(s, 'stop_grace_period');
    if (g && isScalar(g.value)) {
      const raw = String(g.value.value);
      // `${GRACE:-30s}` is interpolated by Compose first: unknown here, neither valid nor invalid.
      const interpolated = raw.includes('$');
      const seconds = interpolated ? undefined : goDuration(raw);
      svc.stopGrace = { raw, seconds, invalid: !interpolated && seconds === undefined ? true : undefined, range: rangeOf(lines, g.value as YNode), merged: g.merged || undefined };
    }
    out.push(svc);
  }
  return out;
}

/** What one document adds to the model (ranges relative to the text it was parsed from). */
interface DocumentPart {
  kind?: 'compose' | 'kubernetes';
  pods: KubePod[];
  services: ComposeService[];
  errors: string[];
  /** The parser threw: the file yields nothing but this error. */
  parseFailed?: boolean;
}

/**
 * Documents parsed once per text: editing one document of a long multi-document manifest re-reads
 * that document only, and re-analysing an unchanged file (a script it runs changed) parses nothing.
 */
const parsedDocuments = new TextCache<DocumentPart[]>('yaml-document', 20000, 4 * 1024 * 1024);

/** The last copy of each cached document, moved to the line it started on then. */
const placedParts = new WeakMap<DocumentPart, { line: number; part: DocumentPart }>();

/** The own keys of the service, pod spec and container maps of a parsed file, by where each map starts. */
const keysByMap = new WeakMap<LineIndex, Map<string, OwnKey[]>>();

function registerKeys(lines: LineIndex, at: Position, keys: OwnKey[]): void {
  let m = keysByMap.get(lines);
  if (!m) keysByMap.set(lines, (m = new Map()));
  m.set(`${at.line}:${at.character}`, keys);
}

/**
 * The own keys of the mapping that starts at `at` in a file parsed by `parseYamlFile` (the text behind
 * `lines`): a fix that sets a key there replaces the existing value instead of adding a duplicate key.
 */
export function ownKeysAt(lines: LineIndex, at: Position): OwnKey[] | undefined {
  return keysByMap.get(lines)?.get(`${at.line}:${at.character}`);
}

export function parseYamlFile(file: string, text: string): YamlFile {
  const lines = new LineIndex(text);
  const result: YamlFile = { kind: 'other', pods: [], services: [], errors: [], lines };
  if (looksTemplated(text)) {
    result.kind = 'template';
    return result;
  }
  const compose = isComposeName(file);
  const parts = splitDocuments(text).map((c, i) => ({
    line: c.line,
    parts: parsedDocuments.through(`${compose ? 'c' : 'k'}\0${file}\0${c.text}`, () => documentParts(file, c.text, new LineIndex(c.text), compose), `${file}\0${i}`),
  }));
  const failed = parts.flatMap((c) => c.parts).find((p) => p.parseFailed);
  if (failed) {
    result.errors.push(...failed.errors);
    return result;
  }
  for (const c of parts) {
    for (const cached of c.parts) {
      // The cached parts are shared: hand out a copy, moved to where the document starts now. The
      // copy is kept and handed out again while the document stays where it is (nothing mutates it):
      // typing in one document of a long stream then copies nothing of the others.
      let placed = placedParts.get(cached);
      if (!placed || placed.line !== c.line) placedParts.set(cached, (placed = { line: c.line, part: shiftLines(cached, c.line) }));
      const p = placed.part;
      result.errors.push(...p.errors);
      if (p.kind === 'compose') {
        result.kind = 'compose';
        result.services.push(...p.services);
        for (const svc of p.services) registerKeys(lines, svc.range.start, svc.keys);
      } else if (p.kind === 'kubernetes') {
        result.kind = 'kubernetes';
        result.pods.push(...p.pods);
        for (const pod of p.pods) {
          registerKeys(lines, pod.specRange.start, pod.specKeys);
          for (const c of pod.containers) registerKeys(lines, c.range.start, c.keys);
        }
      }
    }
  }
  return result;
}

/**
 * The text cut before every `---` line (the yaml parser starts a new document there in any context:
 * block and quoted scalars and flow collections end at it too). Directives (`%YAML`) belong to the
 * document after them: such a stream is parsed whole.
 */
function splitDocuments(text: string): Array<{ line: number; text: string }> {
  if (/^%/m.test(text)) return [{ line: 0, text }];
  const out: Array<{ line: number; text: string }> = [];
  // After a \n only (a lone \r or U+2028 is not where the parser cuts); cutting less is always safe.
  const re = /(?<=\n)---(?=[ \t\r\n]|$)/g;
  let from = 0;
  let line = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const chunk = text.slice(from, m.index);
    out.push({ line, text: chunk });
    line += countLines(chunk);
    from = m.index;
  }
  out.push({ line, text: text.slice(from) });
  return out;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/** A deep copy with every position moved down by `lines` (shared objects stay shared in the copy). */
function shiftLines<T>(v: T, lines: number, memo = new Map<object, unknown>()): T {
  if (v === null || typeof v !== 'object') return v;
  const hit = memo.get(v as object);
  if (hit !== undefined) return hit as T;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    memo.set(v, out);
    for (const x of v) out.push(shiftLines(x, lines, memo));
    return out as T;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 2 && typeof o.line === 'number' && typeof o.character === 'number') {
    const pos = { line: o.line + lines, character: o.character };
    memo.set(v as object, pos);
    return pos as T;
  }
  const out: Record<string, unknown> = {};
  memo.set(v as object, out);
  for (const k of keys) out[k] = shiftLines(o[k], lines, memo);
  return out as T;
}

function documentParts(file: string, text: string, lines: LineIndex, compose: boolean): DocumentPart[] {
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: false, merge: true }) as Document.Parsed[];
  } catch (e) {
    return [{ pods: [], services: [], errors: [(e as Error).message], parseFailed: true }];
  }
  if (!Array.isArray(docs)) return [];
  const out: DocumentPart[] = [];
  try {
    for (const d of docs) {
      currentDoc = d;
      const part: DocumentPart = { pods: [], services: [], errors: d.errors.map((e) => e.message) };
      out.push(part);
      const root = d.contents;
      if (compose || (isMap(root) && get(root, 'services') && !get(root, 'apiVersion'))) {
        const svcs = servicesOf(lines, root, file);
        if (svcs.length || compose) {
          part.kind = 'compose';
          part.services = svcs;
          continue;
        }
      }
      const pods = podsOf(lines, root, file);
      if (pods.length) {
        part.kind = 'kubernetes';
        part.pods = pods;
      }
    }
  } finally {
    currentDoc = undefined;
  }
  return out;
}

export type { Location };
