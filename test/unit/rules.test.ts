// Every Dockerfile rule: cases that must fire, cases that must stay silent, and message content.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { lint, rules } from './helpers';
import { DEFAULT_CONFIG, mergeConfig } from '../../server/src/core/config';
import { ALL_RULES } from '../../server/src/core/rules/index';

type Case = [string, string];
const positive: Record<string, Case[]> = {
  STOP101: [
    ['dash lone command', 'FROM debian:12\nCMD ./app'],
    ['dash && list', 'FROM python:3.12-slim\nCMD cd /app && python app.py'],
    ['bash redirect on the last command', 'FROM redhat/ubi9\nCMD ./app 2>&1'],
    ['busybox pipeline', 'FROM alpine\nCMD ./app | tee /log'],
    ['exec inside a pipeline', 'FROM alpine\nCMD exec ./app | tee /log'],
    ['shell-form ENTRYPOINT', 'FROM node:20-bookworm\nENTRYPOINT node server.js'],
    ['background command', 'FROM alpine\nCMD ./app &'],
    ['shell form behind tini', 'FROM debian\nENTRYPOINT ["tini", "--"]\nCMD ./app'],
  ],
  STOP102: [
    ['distroless shell form', 'FROM gcr.io/distroless/static-debian12\nCMD /server'],
    ['scratch shell form', 'FROM scratch\nCOPY app /app\nENTRYPOINT /app'],
    ['chainguard shell form', 'FROM cgr.dev/chainguard/static\nCMD /app'],
  ],
  STOP103: [
    ['sh -c on dash', 'FROM debian\nCMD ["sh", "-c", "./app"]'],
    ['bash -c with && and redirect', 'FROM debian\nCMD ["bash", "-c", "cd /x && ./app >>/log 2>&1"]'],
    ['sh -c behind tini', 'FROM debian\nENTRYPOINT ["tini", "--", "/bin/sh", "-c", "cd /x && ./app"]'],
  ],
  STOP104: [
    ['shell ENTRYPOINT with CMD', 'FROM alpine\nENTRYPOINT ./run\nCMD ["--port", "80"]'],
    ['CMD before the ENTRYPOINT in the same stage', 'FROM alpine\nCMD ["--x"]\nENTRYPOINT exec ./run'],
  ],
  STOP105: [
    ['npm start exec form', 'FROM node:20\nCMD ["npm", "start"]'],
    ['npm run script', 'FROM node:20-alpine\nCMD ["npm", "run", "serve"]'],
    ['yarn start', 'FROM node:20\nCMD ["yarn", "start"]'],
    ['pnpm start behind shell form', 'FROM node:20-alpine\nCMD pnpm start'],
  ],
  STOP106: [
    ['su -c', 'FROM debian\nCMD ["su", "app", "-c", "./app"]'],
    ['su root -c', 'FROM debian\nCMD ["su", "-", "root", "-c", "./app"]'],
    ['runuser', 'FROM debian\nCMD ["runuser", "-u", "app", "--", "./app"]'],
  ],
  STOP107: [
    ['sleep infinity', 'FROM debian\nCMD ["sleep", "infinity"]'],
    ['tail -f /dev/null', 'FROM ubuntu\nCMD ["tail", "-f", "/dev/null"]'],
    ['busybox execs sleep', 'FROM alpine\nCMD sleep infinity'],
  ],
  STOP108: [
    ['unknown name', 'FROM debian\nSTOPSIGNAL SIGTERMINATE\nCMD ["./app"]'],
    ['zero', 'FROM debian\nSTOPSIGNAL 0\nCMD ["./app"]'],
    ['out of range', 'FROM debian\nSTOPSIGNAL 99\nCMD ["./app"]'],
    ['SIGKILL', 'FROM debian\nSTOPSIGNAL SIGKILL\nCMD ["./app"]'],
  ],
  STOP109: [
    ['nginx installed on debian', 'FROM debian\nRUN apt-get update && apt-get install -y nginx\nCMD ["nginx", "-g", "daemon off;"]'],
    ['nginx image with STOPSIGNAL overridden', 'FROM nginx:1.27\nSTOPSIGNAL SIGTERM\nCMD ["nginx", "-g", "daemon off;"]'],
    ['postgres with SIGTERM', 'FROM debian\nCMD ["postgres", "-D", "/data"]'],
    ['php-fpm', 'FROM php:8.3-fpm\nSTOPSIGNAL SIGTERM\nCMD ["php-fpm"]'],
  ],
  STOP110: [
    ['tini then dumb-init', 'FROM debian\nENTRYPOINT ["tini", "--", "dumb-init", "./app"]'],
  ],
  STOP111: [
    ['COPY ../start.sh', 'FROM debian\nCOPY ../start.sh /start.sh\nCMD ["/start.sh"]'],
  ],
};

const negative: Record<string, Case[]> = {
  STOP101: [
    ['busybox lone command', 'FROM alpine:3.20\nCMD ./app'],
    ['bash lone command', 'FROM fedora:40\nCMD ./app --flag'],
    ['busybox && list', 'FROM node:20-alpine\nCMD cd /app && node server.js'],
    ['exec prefix on dash', 'FROM debian\nCMD exec ./app --port $PORT'],
    ['assignment then exec', 'FROM debian\nCMD FOO=1 exec ./app'],
    ['SHELL bash', 'FROM debian\nSHELL ["/bin/bash", "-c"]\nCMD ./app'],
    ['exec form', 'FROM debian\nCMD ["./app"]'],
    ['no command', 'FROM debian\nRUN echo hi'],
  ],
  STOP102: [
    ['distroless exec form', 'FROM gcr.io/distroless/static-debian12\nCMD ["/server"]'],
    ['distroless debug has busybox', 'FROM gcr.io/distroless/base:debug\nCMD /server'],
    ['scratch exec form', 'FROM scratch\nENTRYPOINT ["/app"]'],
  ],
  STOP103: [
    ['sh -c exec', 'FROM debian\nCMD ["sh", "-c", "exec ./app"]'],
    ['sh -c on busybox', 'FROM alpine\nCMD ["sh", "-c", "cd /x && ./app"]'],
    ['bash -c lone command', 'FROM debian\nCMD ["bash", "-c", "./app"]'],
  ],
  STOP104: [
    ['exec-form ENTRYPOINT', 'FROM alpine\nENTRYPOINT ["./run"]\nCMD ["--port", "80"]'],
    ['shell ENTRYPOINT without CMD', 'FROM alpine\nENTRYPOINT exec ./run'],
    ['CMD inherited from the parent is reset', 'FROM alpine AS a\nCMD ["x"]\nFROM a\nENTRYPOINT exec ./run'],
  ],
  STOP105: [
    ['node directly', 'FROM node:20\nCMD ["node", "server.js"]'],
    ['npm ci is a build step', 'FROM node:20\nRUN npm ci\nCMD ["node", "server.js"]'],
  ],
  STOP106: [
    ['gosu', 'FROM debian\nCMD ["gosu", "app", "./app"]'],
    ['su-exec', 'FROM alpine\nCMD ["su-exec", "app", "./app"]'],
    ['USER instruction', 'FROM debian\nUSER app\nCMD ["./app"]'],
  ],
  STOP107: [
    ['sleep behind tini', 'FROM debian\nENTRYPOINT ["tini", "--"]\nCMD ["sleep", "infinity"]'],
    ['app with unknown handler', 'FROM debian\nCMD ["./app"]'],
    ['sleep behind a dash shell (STOP101 reports it)', 'FROM debian\nCMD sleep infinity'],
  ],
  STOP108: [
    ['SIGTERM', 'FROM debian\nSTOPSIGNAL SIGTERM\nCMD ["./app"]'],
    ['TERM', 'FROM debian\nSTOPSIGNAL TERM\nCMD ["./app"]'],
    ['lower case', 'FROM debian\nSTOPSIGNAL sigquit\nCMD ["./app"]'],
    ['number', 'FROM debian\nSTOPSIGNAL 15\nCMD ["./app"]'],
    ['real-time', 'FROM debian\nSTOPSIGNAL SIGRTMIN+3\nCMD ["./app"]'],
    ['build argument', 'FROM debian\nARG SIG=TERM\nSTOPSIGNAL $SIG\nCMD ["./app"]'],
  ],
  STOP109: [
    ['nginx image keeps SIGQUIT', 'FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]'],
    ['STOPSIGNAL SIGQUIT for nginx', 'FROM debian\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]'],
    ['postgres image keeps SIGINT', 'FROM postgres:16\nCMD ["postgres"]'],
    ['other programs', 'FROM debian\nCMD ["./app"]'],
  ],
  STOP110: [
    ['one init', 'FROM debian\nENTRYPOINT ["tini", "--"]\nCMD ["./app"]'],
  ],
  STOP111: [
    ['COPY from inside the context', 'FROM debian\nCOPY start.sh /start.sh\nCMD ["/start.sh"]'],
    ['COPY ../ of a file the command does not run', 'FROM debian\nCOPY ../README /README\nCMD ["./app"]'],
  ],
};

for (const [id, cases] of Object.entries(positive)) {
  for (const [name, df] of cases) {
    test(`${id} fires: ${name}`, () => {
      assert.ok(rules(df).includes(id), `expected ${id} in ${JSON.stringify(lint(df).map((f) => [f.rule, f.message]))}`);
    });
  }
}
for (const [id, cases] of Object.entries(negative)) {
  for (const [name, df] of cases) {
    test(`${id} silent: ${name}`, () => {
      assert.ok(!rules(df).includes(id), `unexpected ${id}: ${lint(df).filter((f) => f.rule === id).map((f) => f.message).join(' / ')}`);
    });
  }
}

test('every rule has positive and negative cases here', () => {
  for (const r of ALL_RULES.filter((x) => x.family === 'dockerfile')) {
    assert.ok(positive[r.id]?.length, `no positive case for ${r.id}`);
    assert.ok(negative[r.id]?.length, `no negative case for ${r.id}`);
  }
});

test('messages say what happens at stop time, for this image', () => {
  const [f] = lint('FROM python:3.12-slim\nCMD python app.py');
  assert.equal(f.rule, 'STOP101');
  assert.match(f.message, /dash/);
  assert.match(f.message, /python app\.py/);
  assert.match(f.message, /never receives SIGTERM/);
  assert.match(f.message, /10 s/);
  const [g] = lint('FROM nginx\nCMD nginx -g "daemon off;"');
  assert.match(g.message, /SIGQUIT/, 'uses the image\'s stop signal');
  const grace = lint('FROM debian\nCMD ./app', { config: { ...DEFAULT_CONFIG, gracePeriods: { ...DEFAULT_CONFIG.gracePeriods, docker: 25 } } });
  assert.match(grace[0].message, /25 s/);
});

test('unknown image: STOP101 is information and says what it depends on', () => {
  const [f] = lint('FROM registry.example.com/team/base:7\nCMD ./app');
  assert.equal(f.rule, 'STOP101');
  assert.equal(f.severity, 'info');
  assert.match(f.message, /depends on the image's \/bin\/sh/);
});

test('ranges: STOP101 covers the command text, STOP103 the shell word', () => {
  const [f] = lint('FROM debian\nCMD   ./app --x');
  assert.deepEqual(f.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 15 } });
  const [g] = lint('FROM debian\nCMD ["sh", "-c", "./app"]');
  assert.deepEqual(g.range.start, { line: 1, character: 6 });
});

test('STOP104 points at the CMD and relates the ENTRYPOINT', () => {
  const fs = lint('FROM alpine\nENTRYPOINT ./run\nCMD ["--port", "80"]').filter((f) => f.rule === 'STOP104');
  assert.equal(fs.length, 1);
  assert.equal(fs[0].range.start.line, 2);
  assert.equal(fs[0].related[0].range.start.line, 1);
});

test('suppression: # stopcheck ignore=ID above the instruction, and ignore-file', () => {
  assert.deepEqual(rules('FROM debian\n# stopcheck ignore=STOP101\nCMD ./app'), []);
  assert.deepEqual(rules('FROM debian\n# stopcheck ignore=STOP999\nCMD ./app'), ['STOP101']);
  assert.deepEqual(rules('# stopcheck ignore-file\nFROM debian\nCMD ./app'), []);
  assert.deepEqual(rules('# stopcheck ignore-file=STOP105\nFROM node:20\nCMD npm start'), ['STOP101']);
  assert.deepEqual(rules('FROM debian\n# stopcheck ignore=stop101, STOP105\n\nCMD ./app'), []);
});

test('settings: disabled rules and severity overrides', () => {
  const off = mergeConfig(DEFAULT_CONFIG, { disabledRules: ['STOP101'] }, 't').config;
  assert.deepEqual(rules('FROM debian\nCMD ./app', { config: off }), []);
  const sev = mergeConfig(DEFAULT_CONFIG, { severity: { STOP101: 'error', STOP105: 'off' } }, 't').config;
  const fs = lint('FROM node:20\nCMD npm start', { config: sev });
  assert.deepEqual(fs.map((f) => [f.rule, f.severity]), [['STOP101', 'error']]);
});

test('config validation reports problems instead of throwing', () => {
  const { problems } = mergeConfig(DEFAULT_CONFIG, { severity: { STOP101: 'loud' }, gracePeriods: { docker: -1 }, nope: 1 }, 'x');
  assert.equal(problems.length, 3);
});

test('half-typed and odd Dockerfiles do not throw', () => {
  for (const t of ['', 'FROM', 'FROM debian\nCMD', 'FROM debian\nCMD [', 'FROM debian\nCMD ["sh", "-c"', 'CMD ./x', 'FROM debian\nCMD "unterminated',
    'FROM debian\nCMD ["sh","-c",""]', 'FROM debian\nSTOPSIGNAL', '\u0000\u0001', 'FROM debian\r\nCMD ./app\r\n']) {
    assert.doesNotThrow(() => lint(t), t);
  }
  assert.deepEqual(rules('FROM debian\r\nCMD ./app\r\n'), ['STOP101']);
});

test('multi-stage: findings in every runnable stage, no duplicates from inheritance', () => {
  const fs = lint('FROM node:20 AS dev\nCMD npm run dev\nFROM dev AS test\nRUN true\nFROM node:20-alpine\nCMD ["node", "server.js"]');
  assert.deepEqual(fs.map((f) => `${f.rule}@${f.range.start.line}`), ['STOP101@1', 'STOP105@1']);
});
