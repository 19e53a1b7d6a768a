// Base image → what /bin/sh is, which package manager installs tini, and the image's own STOPSIGNAL.
// Facts from SEMANTICS.md §1–2. Unknown images stay unknown: callers say what the verdict depends on.

export type ShellFamily = 'dash' | 'busybox' | 'bash' | 'none' | 'unknown';
export type PackageManager = 'apt' | 'apk' | 'dnf' | 'microdnf' | 'yum' | 'none' | 'unknown';

export interface ImageInfo {
  /** The reference as written, e.g. `python:3.12-slim`. */
  ref: string;
  /** Repository without registry or tag, e.g. `python`, `distroless/static`. */
  repository: string;
  tag: string;
  family: ShellFamily;
  /** Human-readable base, e.g. "Debian", "Alpine", "distroless". */
  distro: string;
  packageManager: PackageManager;
  /** STOPSIGNAL the image itself sets (official images), canonical name. */
  stopSignal?: string;
  /** bash older than 5.2 (not measured: && list behaviour unknown). */
  oldBash?: boolean;
  /** Why we think so, for hovers and assumptions. */
  reason: string;
  known: boolean;
}

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
}

export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  let tag = '';
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = '';
  const first = rest.split('/')[0];
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(first.length + 1);
  }
  if (registry === '' || registry === 'docker.io' || registry === 'index.docker.io') {
    rest = rest.replace(/^library\//, '');
  }
  return { registry: registry === 'index.docker.io' ? 'docker.io' : registry, repository: rest.toLowerCase(), tag: tag.toLowerCase() };
}

const DEBIAN_IMAGES = new Set([
  'debian', 'ubuntu', 'python', 'node', 'golang', 'redis', 'nginx', 'postgres', 'httpd', 'php', 'ruby',
  'rust', 'buildpack-deps', 'perl', 'gcc', 'haproxy', 'memcached', 'wordpress', 'mariadb', 'mongo',
  'rabbitmq', 'elasticsearch', 'kibana', 'tomcat', 'eclipse-temurin', 'maven', 'gradle', 'jetty',
  'ghost', 'drupal', 'nextcloud', 'odoo', 'redmine', 'sonarqube', 'solr', 'zookeeper', 'cassandra',
  'neo4j', 'influxdb', 'telegraf', 'grafana/grafana-oss', 'bitnami/minideb', 'swift', 'julia', 'r-base',
  'elixir', 'erlang', 'haskell', 'clojure', 'pypy', 'composer', 'mediawiki', 'joomla', 'matomo',
  'sapmachine', 'ibm-semeru-runtimes', 'ibmjava', 'kong', 'couchdb', 'arangodb', 'percona',
  'mcr.microsoft.com/dotnet/runtime', 'dotnet/runtime', 'dotnet/aspnet', 'dotnet/sdk',
  'mcr.microsoft.com/devcontainers/base', 'devcontainers/base', 'kalilinux/kali-rolling',
]);
const ALPINE_IMAGES = new Set(['alpine', 'busybox', 'traefik', 'caddy', 'vault', 'consul', 'registry', 'nats',
  'docker', 'bash']);
const RHEL_IMAGES = new Set([
  'centos', 'fedora', 'rockylinux', 'rockylinux/rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux',
  'amazoncorretto', 'ubi7', 'ubi8', 'ubi9', 'ubi10', 'ubi8/ubi', 'ubi9/ubi', 'ubi8/ubi-minimal',
  'ubi9/ubi-minimal', 'ubi8/ubi-micro', 'ubi9/ubi-micro', 'ubi8/ubi-init', 'ubi9/ubi-init', 'redhat/ubi8',
  'redhat/ubi9', 'redhat/ubi8-minimal', 'redhat/ubi9-minimal', 'rhel7', 'rhel8', 'rhel9', 'mysql',
]);
const IMAGE_STOPSIGNAL: Record<string, string> = {
  nginx: 'SIGQUIT', httpd: 'SIGWINCH', postgres: 'SIGINT',
};

function info(ref: string, r: ImageRef, family: ShellFamily, distro: string, pm: PackageManager, reason: string,
  known = true): ImageInfo {
  const out: ImageInfo = { ref, repository: r.repository, tag: r.tag, family, distro, packageManager: pm, reason, known };
  const base = r.repository.split('/').pop() ?? r.repository;
  const sig = IMAGE_STOPSIGNAL[r.repository];
  if (sig) out.stopSignal = sig;
  if (base === 'php' || r.repository === 'php') {
    if (/fpm/.test(r.tag)) out.stopSignal = 'SIGQUIT';
  }
  return out;
}

/** Classify a base image reference. `ref` must already have build ARGs substituted. */
export function classifyImage(ref: string): ImageInfo {
  const r = parseImageRef(ref);
  const repo = r.repository;
  const tag = r.tag;
  const last = repo.split('/').pop() ?? repo;
  const fullRepo = r.registry ? `${r.registry}/${repo}` : repo;

  if (repo === 'scratch') return info(ref, r, 'none', 'scratch', 'none', 'scratch has no files at all, so no /bin/sh');

  if (r.registry === 'gcr.io' && repo.startsWith('distroless/')) {
    if (/(^|-)debug(-|$)/.test(tag)) return info(ref, r, 'busybox', 'distroless debug', 'none', 'distroless :debug images add a busybox shell');
    return info(ref, r, 'none', 'distroless', 'none', 'distroless images have no shell');
  }
  if (r.registry === 'cgr.dev' && repo.startsWith('chainguard/')) {
    if (last === 'wolfi-base' || last === 'busybox' || /(^|-)dev$/.test(tag)) {
      return info(ref, r, 'busybox', 'Wolfi', 'apk', 'Chainguard wolfi-base, busybox and -dev images include busybox sh');
    }
    return info(ref, r, 'none', 'Chainguard', 'none', 'most Chainguard images have no shell (only wolfi-base, busybox and -dev variants do)');
  }
  if (r.registry === 'registry.access.redhat.com' || r.registry === 'registry.redhat.io' || /^ubi\d/.test(last)) {
    const old = /ubi8|ubi7|rhel7|rhel8/.test(repo);
    const i = info(ref, r, 'bash', 'Red Hat UBI', /minimal|micro/.test(repo) ? 'microdnf' : 'dnf', '/bin/sh is bash on Red Hat UBI');
    if (old) i.oldBash = true;
    return i;
  }
  if (r.registry === 'mcr.microsoft.com' && repo.startsWith('dotnet/')) {
    if (/alpine/.test(tag)) return info(ref, r, 'busybox', 'Alpine', 'apk', `the ${tag} tag is Alpine-based: /bin/sh is busybox ash`);
    if (/distroless|chiseled/.test(tag)) return info(ref, r, 'none', 'distroless', 'none', 'chiseled .NET images have no shell');
    return info(ref, r, 'dash', 'Debian', 'apt', '.NET images are Debian-based by default: /bin/sh is dash');
  }

  // Tag variants decide before the repository name.
  if (/(^|[-_.])alpine/.test(tag)) return info(ref, r, 'busybox', 'Alpine', 'apk', `the "${tag}" tag is Alpine-based: /bin/sh is busybox ash`);
  if (/(^|-)(ubi\d*|ubi-minimal|ubi\d-minimal)/.test(tag)) {
    return info(ref, r, 'bash', 'Red Hat UBI', 'microdnf', `the "${tag}" tag is UBI-based: /bin/sh is bash`);
  }
  if (/(^|-)(bookworm|bullseye|buster|trixie|stretch|slim|jammy|focal|noble|bionic|xenial|jessie)/.test(tag)) {
    return info(ref, r, 'dash', /jammy|focal|noble|bionic|xenial/.test(tag) ? 'Ubuntu' : 'Debian', 'apt',
      `the "${tag}" tag is Debian/Ubuntu-based: /bin/sh is dash`);
  }
  if (/(^|-)(al2023|al2|amazonlinux)/.test(tag)) {
    const i = info(ref, r, 'bash', 'Amazon Linux', 'yum', `the "${tag}" tag is Amazon Linux-based: /bin/sh is bash`);
    if (/al2(?!023)/.test(tag)) i.oldBash = true;
    return i;
  }
  if (/(^|-)(oraclelinux|oracle)/.test(tag)) return info(ref, r, 'bash', 'Oracle Linux', 'microdnf', `the "${tag}" tag is Oracle Linux-based: /bin/sh is bash`);

  if (ALPINE_IMAGES.has(repo) || ALPINE_IMAGES.has(last) && !repo.includes('/')) {
    return info(ref, r, 'busybox', 'Alpine', repo === 'busybox' ? 'none' : 'apk',
      repo === 'busybox' ? 'the busybox image: /bin/sh is busybox ash' : `${repo} is Alpine-based: /bin/sh is busybox ash`);
  }
  if (repo === 'openjdk') {
    const major = Number(/^(\d+)/.exec(tag)?.[1] ?? NaN);
    if (!Number.isNaN(major) && major >= 12) return info(ref, r, 'bash', 'Oracle Linux', 'microdnf', `openjdk:${tag} is Oracle Linux-based: /bin/sh is bash`);
    if (!Number.isNaN(major)) return info(ref, r, 'dash', 'Debian', 'apt', `openjdk:${tag} is Debian-based: /bin/sh is dash`);
    return info(ref, r, 'unknown', 'unknown', 'unknown', 'openjdk: the base depends on the tag (8/11 Debian, 12+ Oracle Linux)', false);
  }
  if (repo === 'mysql') {
    if (/debian|^5\.7/.test(tag)) return info(ref, r, 'dash', 'Debian', 'apt', `mysql:${tag} is Debian-based: /bin/sh is dash`);
    return info(ref, r, 'bash', 'Oracle Linux', 'microdnf', 'mysql 8+ images are Oracle Linux-based: /bin/sh is bash');
  }
  if (RHEL_IMAGES.has(repo) || RHEL_IMAGES.has(fullRepo)) {
    const i = info(ref, r, 'bash', repo.startsWith('amazon') ? 'Amazon Linux' : 'RHEL family', repo === 'amazonlinux' || repo === 'amazoncorretto' || repo === 'centos' ? 'yum' : 'dnf',
      `${repo} is RHEL-family: /bin/sh is bash`);
    if ((repo === 'centos' && (tag === '' || tag === 'latest' || tag.startsWith('7'))) || (repo === 'amazonlinux' && tag.startsWith('2') && !tag.startsWith('2023'))) {
      i.oldBash = true;
    }
    return i;
  }
  if (DEBIAN_IMAGES.has(repo) || DEBIAN_IMAGES.has(fullRepo)) {
    return info(ref, r, 'dash', repo === 'ubuntu' || repo === 'eclipse-temurin' ? 'Ubuntu' : 'Debian', 'apt',
      `${repo} images are Debian/Ubuntu-based: /bin/sh is dash`);
  }
  return info(ref, r, 'unknown', 'unknown', 'unknown', `"${ref}" is not an image stopcheck knows, so its /bin/sh is unknown`, false);
}

export function familyLabel(f: ShellFamily): string {
  switch (f) {
    case 'dash': return 'dash';
    case 'busybox': return 'busybox ash';
    case 'bash': return 'bash';
    case 'none': return 'no shell';
    default: return 'unknown shell';
  }
}

/** Family of a shell named explicitly (SHELL ["/bin/bash","-c"], `bash -c …`). */
export function familyOfShellPath(path: string, imageFamily: ShellFamily): ShellFamily {
  const base = path.split('/').pop() ?? path;
  if (base === 'bash') return 'bash';
  if (base === 'dash') return 'dash';
  if (base === 'ash' || base === 'busybox') return 'busybox';
  if (base === 'sh') return imageFamily;
  return 'unknown';
}

export function isShellName(path: string): boolean {
  const base = path.split('/').pop() ?? path;
  return ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh'].includes(base);
}
