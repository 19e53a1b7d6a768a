// Kubernetes manifests and Compose files, read with the `yaml` package keeping exact ranges, reduced
// to what the launch chain needs: containers/services with their command overrides and stop policy.
import { parseAllDocuments, isMap, isSeq, isScalar, isAlias, type Node as YNode, type YAMLMap, type Pair, type Document } from 'yaml';
import type { Location, Range } from './types';
import { LineIndex } from './text';
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
}

export interface KubePod {
  kind: YStr;
  name?: string;
  grace?: { value: number; range: Range };
  shareProcessNamespace?: Range;
  osName?: string;
  containers: KubeContainer[];
  /** Where the pod spec is (for findings about the pod). */
  specRange: Range;
}

export interface ComposeService {
  name: YStr;
  image?: YStr;
  build?: { context: string; dockerfile?: string; target?: string; range: Range };
  command?: CommandSpec;
  entrypoint?: CommandSpec;
  init?: { value: boolean; range: Range };
  stopSignal?: YStr;
  stopGrace?: { seconds?: number; raw: string; range: Range };
  range: Range;
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

function get(mapIn: YAMLMap, key: string, depth = 0): Pair | undefined {
  const map = deref(mapIn) as YAMLMap;
  if (!isMap(map)) return undefined;
  const direct = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
  if (direct) return { ...direct, value: deref(direct.value) } as Pair;
  if (depth > 8) return undefined;
  // YAML merge keys: `<<: *base` or `<<: [*a, *b]`.
  for (const p of map.items) {
    if (!isScalar(p.key) || p.key.value !== '<<') continue;
    const v = deref(p.value);
    const sources = isSeq(v) ? v.items.map((x) => deref(x)) : [v];
    for (const src of sources) {
      if (isMap(src)) {
        const hit = get(src, key, depth + 1);
        if (hit) return hit;
      }
    }
  }
  return undefined;
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
    const n = isScalar(secs?.value) ? Number(secs!.value.value) : undefined;
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
    const g = isScalar(graceNode?.value) ? Number(graceNode!.value.value) : undefined;
    const share = get(spec, 'shareProcessNamespace');
    const os = walk(spec, ['os', 'name']);
    const metaName = walk(root, ['metadata', 'name']);
    out.push({
      kind, name: isScalar(metaName) ? String(metaName.value) : undefined,
      grace: g !== undefined && Number.isFinite(g) ? { value: g, range: rangeOf(lines, graceNode!.value as YNode) } : undefined,
      shareProcessNamespace: isScalar(share?.value) && share!.value.value === true ? rangeOf(lines, share!.key as YNode) : undefined,
      osName: isScalar(os) ? String(os.value) : undefined,
      containers: [...containersOf(lines, spec, 'initContainers', file), ...containersOf(lines, spec, 'containers', file)],
      specRange: rangeOf(lines, spec as YNode),
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

function servicesOf(lines: LineIndex, root: unknown, file: string): ComposeService[] {
  if (!isMap(root)) return [];
  const services = get(root, 'services')?.value;
  if (!isMap(services)) return [];
  const out: ComposeService[] = [];
  for (const pair of services.items) {
    const name = str(lines, pair.key);
    const s = deref(pair.value);
    if (!name || !isMap(s)) continue;
    const svc: ComposeService = { name, range: rangeOf(lines, s as YNode) };
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
    svc.stopSignal = str(lines, get(s, 'stop_signal')?.value);
    const g = get(s, 'stop_grace_period');
    if (g && isScalar(g.value)) {
      const raw = String(g.value.value);
      svc.stopGrace = { raw, seconds: parseDuration(raw), range: rangeOf(lines, g.value as YNode) };
    }
    out.push(svc);
  }
  return out;
}

export function parseYamlFile(file: string, text: string): YamlFile {
  const lines = new LineIndex(text);
  const result: YamlFile = { kind: 'other', pods: [], services: [], errors: [], lines };
  if (looksTemplated(text)) {
    result.kind = 'template';
    return result;
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: false, merge: true }) as Document.Parsed[];
  } catch (e) {
    result.errors.push((e as Error).message);
    return result;
  }
  if (!Array.isArray(docs)) return result;
  const compose = isComposeName(file);
  for (const d of docs) {
    currentDoc = d;
    if (d.errors.length) result.errors.push(...d.errors.map((e) => e.message));
    const root = d.contents;
    if (compose || (isMap(root) && get(root, 'services') && !get(root, 'apiVersion'))) {
      const svcs = servicesOf(lines, root, file);
      if (svcs.length || compose) {
        result.kind = 'compose';
        result.services.push(...svcs);
        continue;
      }
    }
    const pods = podsOf(lines, root, file);
    if (pods.length) {
      result.kind = 'kubernetes';
      result.pods.push(...pods);
    }
  }
  currentDoc = undefined;
  return result;
}

export type { Location };
