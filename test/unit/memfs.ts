import type { FileAccess } from '../../server/src/core/types';

/** In-memory build context: { 'start.sh': '…', 'dir/x': '…' } under `root`. */
export function memFiles(root: string, files: Record<string, string>): FileAccess {
  const abs = new Map(Object.entries(files).map(([k, v]) => [`${root}/${k}`, v]));
  const dirs = new Set<string>([root]);
  for (const k of abs.keys()) {
    let d = k.slice(0, k.lastIndexOf('/'));
    while (d.length >= root.length) {
      dirs.add(d);
      d = d.slice(0, d.lastIndexOf('/'));
    }
  }
  return {
    read: (f) => abs.get(f),
    exists: (f) => abs.has(f) || dirs.has(f),
    isDirectory: (f) => dirs.has(f),
    list: (d) => (dirs.has(d) ? [...new Set([...abs.keys(), ...dirs].filter((k) => k.startsWith(d + '/')).map((k) => k.slice(d.length + 1).split('/')[0]))] : undefined),
  };
}
