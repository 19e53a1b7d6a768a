// The launch chain against SEMANTICS.md §1: every Dockerfile-shaped row, measured verdicts.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { chain } from './helpers';

const rows: Array<[string, string, string]> = [
  // [Dockerfile, expected verdict, expected chain labels joined]
  ['FROM debian:12\nCMD ./app', 'killed', '/bin/sh -c (dash) > ./app'],
  ['FROM alpine:3.20\nCMD ./app', 'graceful', './app'],
  ['FROM redhat/ubi9\nCMD ./app', 'graceful', './app'],
  ['FROM debian\nCMD cd /x && ./app', 'killed', '/bin/sh -c (dash) > ./app'],
  ['FROM alpine\nCMD cd /x && ./app', 'graceful', './app'],
  ['FROM fedora:40\nCMD cd /x && ./app', 'graceful', './app'],
  ['FROM fedora:40\nCMD ./app 2>&1', 'killed', '/bin/sh -c (bash) > ./app'],
  ['FROM alpine\nCMD ./app 2>&1', 'graceful', './app'],
  ['FROM alpine\nCMD ./app | tee log', 'killed', '/bin/sh -c (busybox ash) > ./app'],
  ['FROM fedora\nCMD ./app | tee log', 'killed', '/bin/sh -c (bash) > ./app'],
  ['FROM debian\nCMD exec ./app', 'graceful', './app'],
  ['FROM debian\nCMD FOO=1 exec ./app --port $PORT', 'graceful', './app --port $PORT'],
  ['FROM debian\nCMD ["./app"]', 'graceful', './app'],
  ['FROM debian\nCMD ["sleep", "infinity"]', 'killed', 'sleep infinity'],
  ['FROM debian\nCMD ["tail", "-f", "/dev/null"]', 'killed', 'tail -f /dev/null'],
  ['FROM debian\nENTRYPOINT ["tini", "--"]\nCMD ["./app"]', 'graceful', 'tini > ./app'],
  ['FROM debian\nENTRYPOINT ["tini", "--"]\nCMD ["sleep", "infinity"]', 'graceful', 'tini > sleep infinity'],
  ['FROM debian\nENTRYPOINT ["tini", "--", "sh", "-c", "./app"]', 'cut-short', 'tini > sh -c (dash) > ./app'],
  ['FROM debian\nENTRYPOINT ["tini", "-g", "--", "sh", "-c", "./app"]', 'cut-short', 'tini -g > sh -c (dash) > ./app'],
  ['FROM debian\nENTRYPOINT ["dumb-init", "sh", "-c", "./app"]', 'cut-short', 'dumb-init > sh -c (dash) > ./app'],
  ['FROM debian\nENTRYPOINT ["dumb-init", "--single-child", "sh", "-c", "./app"]', 'cut-short', 'dumb-init --single-child > sh -c (dash) > ./app'],
  ['FROM node:20\nCMD ["npm", "start"]', 'cut-short', 'npm start > sh -c <package.json script> > the package.json script'],
  ['FROM debian\nCMD ["su", "app", "-c", "./app"]', 'cut-short', 'su app -c > /bin/sh -c (dash) > ./app'],
  ['FROM debian\nCMD ["su", "root", "-c", "./app"]', 'cut-short', 'su root -c > ./app'],
  ['FROM debian\nCMD ["runuser", "-u", "app", "--", "./app"]', 'cut-short', 'runuser -u app > ./app'],
  ['FROM debian\nCMD ["gosu", "app", "./app"]', 'graceful', './app'],
  ['FROM alpine\nCMD ["su-exec", "app", "./app"]', 'graceful', './app'],
  ['FROM debian\nENTRYPOINT ["tini", "--", "tini", "--", "./app"]', 'graceful', 'tini > tini > ./app'],
  ['FROM debian\nENTRYPOINT ["tini", "--", "dumb-init", "./app"]', 'graceful', 'tini > dumb-init > ./app'],
  ['FROM gcr.io/distroless/static-debian12\nCMD /app', 'fails-to-start', ''],
  ['FROM scratch\nCMD /app', 'fails-to-start', ''],
  ['FROM gcr.io/distroless/static-debian12\nCMD ["/app"]', 'graceful', '/app'],
  ['FROM debian\nSHELL ["/bin/bash", "-c"]\nCMD ./app', 'graceful', './app'],
  ['FROM alpine\nSHELL ["/bin/bash", "-c"]\nCMD ./app 2>&1', 'killed', '/bin/bash -c (bash) > ./app'],
  ['FROM mycorp/base:1\nCMD ./app', 'unknown', '/bin/sh -c (unknown shell) > ./app'],
];

for (const [df, verdict, labels] of rows) {
  test(`chain: ${df.replace(/\n/g, ' | ')} → ${verdict}`, () => {
    const c = chain(df);
    assert.equal(c.outcome.verdict, verdict, c.outcome.summary);
    assert.equal(c.processes.map((p) => p.label).join(' > '), labels);
  });
}

test('chain: shell-form ENTRYPOINT ignores CMD; exec-form ENTRYPOINT takes CMD as arguments', () => {
  const a = chain('FROM alpine\nENTRYPOINT ["tini", "--"]\nCMD ./app');
  assert.deepEqual(a.processes.map((p) => p.role), ['init', 'app']);
  const b = chain('FROM alpine\nENTRYPOINT ./run\nCMD ["ignored"]');
  assert.equal(b.processes.map((p) => p.label).join(' > '), './run');
});

test('chain: ENTRYPOINT in a later stage resets the CMD inherited from the parent stage', () => {
  const c = chain('FROM alpine AS base\nCMD ["./old"]\nFROM base\nENTRYPOINT ["./new"]');
  assert.equal(c.processes.map((p) => p.label).join(' > '), './new');
  const d = chain('FROM alpine AS base\nENTRYPOINT ["tini", "--"]\nFROM base\nCMD ["./app"]');
  assert.equal(d.processes.map((p) => p.label).join(' > '), 'tini > ./app');
});

test('chain: stage aliases, ARG defaults in FROM and --platform resolve the base image', () => {
  const c = chain('ARG BASE=python:3.12-alpine\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nFROM build AS final\nCMD python app.py');
  assert.equal(c.image.family, 'busybox');
  assert.equal(c.outcome.verdict, 'graceful');
  const d = chain('ARG TAG\nFROM node:${TAG:-20-slim}\nCMD node app.js');
  assert.equal(d.image.family, 'dash');
});

test('chain: STOPSIGNAL and image stop signals set the policy', () => {
  assert.equal(chain('FROM debian\nSTOPSIGNAL sigint\nCMD ["./app"]').policy.signal, 'SIGINT');
  assert.equal(chain('FROM debian\nSTOPSIGNAL 3\nCMD ["./app"]').policy.signal, 'SIGQUIT');
  assert.equal(chain('FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]').policy.signal, 'SIGQUIT');
  assert.equal(chain('FROM postgres:16\nCMD ["postgres"]').policy.signal, 'SIGINT');
  assert.equal(chain('FROM debian\nCMD ["./app"]').policy.signal, 'SIGTERM');
});

test('chain: JSON strings keep their spaces and escapes', () => {
  const c = chain('FROM nginx\nCMD ["nginx", "-g", "daemon off;"]');
  assert.deepEqual(c.processes[0].argv, ['nginx', '-g', 'daemon off;']);
});

test('chain: the timeline ends in SIGKILL at the grace period when the app is killed', () => {
  const c = chain('FROM debian\nCMD ./app');
  const last = c.outcome.events[c.outcome.events.length - 1];
  assert.equal(last.atSeconds, 10);
  assert.match(last.what, /SIGKILL/);
  assert.equal(c.outcome.appReceivesSignal, false);
});
