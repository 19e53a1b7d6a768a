// appHandler: what the app at the end of the launch chain does with the stop signal as PID 1.
// Part 1 reads small apps from an in-memory build context; part 2 runs the real fixture apps in
// test/fixtures/apps as PID 1 of a fresh PID namespace and checks the prediction against what happens.
import { test, describe, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { appHandler, initPythonParser, IMPORT_LIMITS, type AppSource, type HandlerVerdict } from '../../server/src/core/runtime';

before(async () => {
  await initPythonParser();
});

/** In-memory image: image path → text; the build-context file is `ctx` + image path. */
function mem(files: Record<string, string>): (p: string) => AppSource | undefined {
  return (p) => (p in files ? { file: `/ctx${p}`, text: files[p] } : undefined);
}

function check(argv: string[], files: Record<string, string>, signal = 'SIGTERM', workdir = '/app'): HandlerVerdict {
  return appHandler(argv, signal, mem(files), workdir);
}

const KEEP_ALIVE = 'setInterval(() => {}, 1000);\n';

describe('node', () => {
  test('process.on(SIGTERM) in the entry → yes, with where', () => {
    const v = check(['node', 'server.js'], {
      '/app/server.js': `const http = require('http');\nhttp.createServer().listen(3000);\nprocess.on('SIGTERM', () => process.exit(0));\n`,
    });
    assert.equal(v.runtime, 'node');
    assert.equal(v.handler, 'yes');
    assert.equal(v.evidence?.file, '/ctx/app/server.js');
    assert.deepEqual(v.evidence?.range.start, { line: 2, character: 0 });
    assert.deepEqual(v.evidence?.range.end, { line: 2, character: 20 });
    assert.match(v.note, /process\.on\('SIGTERM', …\) in server\.js \(line 3\)/);
  });

  test('no handler anywhere → none (Node re-raises, PID 1 ignores)', () => {
    const v = check(['node', 'server.js'], {
      '/app/server.js': `const express = require('express');\nconst { port } = require('./config');\nexpress().listen(port);\nprocess.on('exit', () => {});\n`,
      '/app/config.js': `module.exports = { port: 3000 };\n`,
    });
    assert.equal(v.handler, 'none');
    assert.equal(v.evidence, undefined);
    assert.deepEqual(v.defaultGraceful, []);
    assert.match(v.note, /re-raises SIGTERM, which PID 1 ignores/);
    assert.match(v.note, /1 project file/);
    assert.match(v.note, /express/);
  });

  test('handler in an imported module (directory with index.js)', () => {
    const v = check(['node', 'dist/index.js'], {
      '/app/dist/index.js': `"use strict";\nconst shutdown_1 = require("./shutdown");\n(0, shutdown_1.install)();\n`,
      '/app/dist/shutdown/index.js': `exports.install = () => {\n  for (const s of ['SIGINT', 'SIGTERM']) process.once(s, () => process.exit(0));\n};\n`,
    });
    assert.equal(v.handler, 'yes');
    assert.equal(v.evidence?.file, '/ctx/app/dist/shutdown/index.js');
    assert.equal(v.evidence?.range.start.line, 1);
  });

  test('ESM import, `import process from "node:process"`, template literal', () => {
    const files = {
      '/app/index.mjs': `import { start } from './lib/app.mjs';\nawait start();\n`,
      '/app/lib/app.mjs': `import process from 'node:process';\nexport async function start() {\n  process.addListener(\`SIGTERM\`, async () => {});\n}\n`,
    };
    assert.equal(check(['node', 'index.mjs'], files).handler, 'yes');
    // the handler is for SIGTERM only
    assert.equal(check(['node', 'index.mjs'], files, 'SIGINT').handler, 'none');
  });

  test('named import of on() from process, forEach over a const list', () => {
    const v = check(['node', 'a.js'], {
      '/app/a.js': `import { once as listen } from 'process';\nconst SIGNALS = ['SIGINT', 'SIGTERM'];\nSIGNALS.forEach((sig) => listen(sig, () => {}));\n`,
    });
    assert.equal(v.handler, 'yes');
  });

  test('export … from is followed', () => {
    const v = check(['node', 'a.mjs'], {
      '/app/a.mjs': `export * from './b.mjs';\n${KEEP_ALIVE}`,
      '/app/b.mjs': `process.on('SIGTERM', () => {});\n`,
    });
    assert.equal(v.handler, 'yes');
  });

  test('unreadable import → unknown', () => {
    const v = check(['node', 'server.js'], {
      '/app/server.js': `require('./routes');\nrequire('./generated/schema');\n${KEEP_ALIVE}`,
      '/app/routes.js': `module.exports = {};\n`,
    });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /\.\/generated\/schema .*not in the build context/);
  });

  test('require() with a computed path → unknown', () => {
    const v = check(['node', 'server.js'], { '/app/server.js': `const name = process.env.PLUGIN;\nrequire('./plugins/' + name);\n` });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /computed path/);
  });

  test('handler whose signal comes from a parameter → unknown, not none', () => {
    const v = check(['node', 'server.js'], { '/app/server.js': `function onSignal(sig, fn) { process.on(sig, fn); }\nonSignal(process.env.STOP, () => {});\n` });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /cannot work out/);
  });

  test('a known handler library → unknown, not none', () => {
    const v = check(['node', 'server.js'], { '/app/server.js': `const closeWithGrace = require('close-with-grace');\ncloseWithGrace(async () => {});\n` });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /close-with-grace/);
  });

  test('NestJS enableShutdownHooks() → yes', () => {
    const v = check(['node', 'dist/main'], {
      '/app/dist/main.js': `const core_1 = require("@nestjs/core");\nasync function bootstrap() {\n  const app = await core_1.NestFactory.create(AppModule);\n  app.enableShutdownHooks();\n  await app.listen(3000);\n}\nbootstrap();\n`,
    });
    assert.equal(v.handler, 'yes');
    assert.equal(v.evidence?.range.start.line, 3);
  });

  test('node . uses package.json "main"; node dir uses index.js', () => {
    const files = {
      '/app/package.json': JSON.stringify({ name: 'x', main: 'build/start.js' }),
      '/app/build/start.js': `process.on('SIGTERM', () => {});\n`,
      '/srv/api/index.js': KEEP_ALIVE,
    };
    assert.equal(check(['node', '.'], files).handler, 'yes');
    assert.equal(check(['node', '/srv/api'], files).handler, 'none');
    assert.equal(check(['node', '.'], { '/app/index.js': KEEP_ALIVE }).handler, 'none');
  });

  test('options, preloads and absolute paths', () => {
    const files = {
      '/app/tracing.js': `process.on('SIGTERM', () => sdk.shutdown());\n`,
      '/app/server.js': KEEP_ALIVE,
    };
    assert.equal(check(['/usr/local/bin/node', '--enable-source-maps', '--max-old-space-size=512', '-r', './tracing.js', 'server.js'], files).handler, 'yes');
    assert.equal(check(['node', '--require=dotenv/config', '/app/server.js', '--port', '3000'], files).handler, 'none');
    assert.equal(check(['node', '-r', 'dotenv/config', 'server.js'], files).handler, 'none');
  });

  test('CommonJS with a top-level return parses (script fallback), #! line allowed', () => {
    const v = check(['node', 'cli.js'], { '/app/cli.js': `#!/usr/bin/env node\nif (!module.parent) {}\nif (process.argv.length > 5) return;\nprocess.on('SIGTERM', () => {});\n` });
    assert.equal(v.handler, 'yes');
  });

  test('a file that does not parse → unknown', () => {
    const v = check(['node', 'app.js'], { '/app/app.js': `const x = <div/>;\n` });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /does not parse/);
  });

  test('TypeScript, REPL, --eval, --watch, missing entry → unknown', () => {
    assert.equal(check(['node', 'src/index.ts'], {}).handler, 'unknown');
    assert.match(check(['node', 'src/index.ts'], {}).note, /TypeScript/);
    assert.equal(check(['node', '-e', 'process.on("SIGTERM",()=>{})'], {}).handler, 'unknown');
    assert.equal(check(['node'], {}).handler, 'unknown');
    assert.equal(check(['node', '--watch', 'server.js'], { '/app/server.js': KEEP_ALIVE }).handler, 'unknown');
    assert.equal(check(['node', 'server.js'], {}).handler, 'unknown');
    assert.equal(check(['ts-node', 'src/index.ts'], {}).handler, 'unknown');
  });

  test('an executable with a node #! line is analysed as node', () => {
    const files = { '/app/bin/www': `#!/usr/bin/env node\nvar app = require('../app');\napp.listen(3000);\n`, '/app/app.js': `module.exports = require('express')();\n` };
    const v = check(['./bin/www'], files);
    assert.equal(v.runtime, 'node');
    assert.equal(v.handler, 'none');
  });

  test('signal spelled as a number or without SIG', () => {
    const files = { '/app/s.js': `process.on('SIGTERM', () => {});\n` };
    assert.equal(check(['node', 's.js'], files, '15').handler, 'yes');
    assert.equal(check(['node', 's.js'], files, 'term').handler, 'yes');
    assert.equal(check(['node', 's.js'], files, 'SIGQUIT').handler, 'none');
  });

  test('bounded: import chains deeper than the limit, or too many files → unknown', () => {
    const deep: Record<string, string> = {};
    for (let k = 0; k <= IMPORT_LIMITS.depth + 1; k++) deep[`/app/m${k}.js`] = `require('./m${k + 1}');\n`;
    deep[`/app/m${IMPORT_LIMITS.depth + 2}.js`] = '';
    const d = check(['node', 'm0.js'], deep);
    assert.equal(d.handler, 'unknown');
    assert.match(d.note, /deeper than 5/);

    const wide: Record<string, string> = { '/app/main.js': Array.from({ length: 60 }, (_, k) => `require('./w${k}');`).join('\n') };
    for (let k = 0; k < 60; k++) wide[`/app/w${k}.js`] = '';
    assert.match(check(['node', 'main.js'], wide).note, /after 50 files/);

    const big = { '/app/main.js': `require('./big');\n`, '/app/big.js': `// ${'x'.repeat(IMPORT_LIMITS.bytes)}\n` };
    assert.match(check(['node', 'main.js'], big).note, /1 MiB/);
  });

  test('import cycles terminate', () => {
    const v = check(['node', 'a.js'], { '/app/a.js': `require('./b');\n`, '/app/b.js': `require('./a');\n` });
    assert.equal(v.handler, 'none');
  });

  test('a resolver that throws is treated as "not in the context"', () => {
    const v = appHandler(['node', 'a.js'], 'SIGTERM', (p) => {
      if (p === '/app/a.js') return { file: '/ctx/a.js', text: `require('./b');\n` };
      throw new Error('boom');
    }, '/app');
    assert.equal(v.handler, 'unknown');
  });
});

describe('python', () => {
  test('signal.signal(signal.SIGTERM, h) → yes, with where', () => {
    const v = check(['python', 'app.py'], {
      '/app/app.py': `import signal\nimport sys\n\ndef stop(*_):\n    sys.exit(0)\n\nsignal.signal(signal.SIGTERM, stop)\n`,
    });
    assert.equal(v.runtime, 'python');
    assert.equal(v.handler, 'yes');
    assert.equal(v.evidence?.file, '/ctx/app/app.py');
    assert.deepEqual(v.evidence?.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 28 } });
    assert.deepEqual(v.defaultGraceful, ['SIGINT']);
  });

  test('no handler → none for SIGTERM; SIGINT is graceful by default (KeyboardInterrupt)', () => {
    const files = { '/app/app.py': `import time\nfrom flask import Flask\nfrom helpers import work\nwhile True:\n    work()\n    time.sleep(1)\n`, '/app/helpers.py': `def work():\n    pass\n` };
    const v = check(['python3', '-u', 'app.py'], files);
    assert.equal(v.handler, 'none');
    assert.deepEqual(v.defaultGraceful, ['SIGINT']);
    assert.match(v.note, /default action for SIGTERM, which PID 1 ignores/);
    assert.match(v.note, /flask/);
    const i = check(['python3', 'app.py'], files, 'SIGINT');
    assert.equal(i.handler, 'yes');
    assert.equal(i.evidence, undefined);
    assert.match(i.note, /KeyboardInterrupt/);
  });

  test('signal numbers, from-imports and aliases', () => {
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import signal\nsignal.signal(15, lambda *a: None)\n` }).handler, 'yes');
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `from signal import signal, SIGTERM\nsignal(SIGTERM, lambda *a: None)\n` }).handler, 'yes');
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import signal as sg\nsg.signal(sg.Signals.SIGTERM, print)\n` }).handler, 'yes');
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `from signal import SIGTERM as T\nimport signal\nsignal.signal(T, print)\n` }).handler, 'yes');
  });

  test('loops over signals, module-level tuples', () => {
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import signal\nfor s in (signal.SIGINT, signal.SIGTERM):\n    signal.signal(s, print)\n` }).handler, 'yes');
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import signal\nfor name in {"SIGINT", "SIGTERM"}:\n    signal.signal(getattr(signal, name), print)\n` }).handler, 'yes');
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import signal\nHANDLED = [signal.SIGINT, signal.SIGTERM]\ndef go():\n    for s in HANDLED:\n        signal.signal(s, print)\ngo()\n` }).handler, 'yes');
  });

  test('asyncio loop.add_signal_handler → yes', () => {
    const v = check(['python', 'main.py'], {
      '/app/main.py': `import asyncio, signal\n\nasync def main():\n    loop = asyncio.get_running_loop()\n    stop = asyncio.Event()\n    loop.add_signal_handler(signal.SIGTERM, stop.set)\n    await stop.wait()\n\nasyncio.run(main())\n`,
    });
    assert.equal(v.handler, 'yes');
    assert.equal(v.evidence?.range.start.line, 5);
  });

  test('python -m pkg runs pkg/__main__.py; handler found through a relative import', () => {
    const files = {
      '/app/svc/__init__.py': '',
      '/app/svc/__main__.py': `from .server import serve\nserve()\n`,
      '/app/svc/server.py': `from . import lifecycle\n\ndef serve():\n    lifecycle.install()\n`,
      '/app/svc/lifecycle.py': `import signal\n\ndef install():\n    signal.signal(signal.SIGTERM, lambda *a: None)\n`,
    };
    const v = check(['python3', '-m', 'svc'], files);
    assert.equal(v.handler, 'yes');
    assert.equal(v.evidence?.file, '/ctx/app/svc/lifecycle.py');
    assert.equal(check(['python3', '-um', 'svc'], files).handler, 'yes');
    assert.equal(check(['python3', '-m', 'svc.server'], files).handler, 'yes');
  });

  test('top-level project modules and packages are followed', () => {
    const files = {
      '/app/app.py': `import worker.loop\nworker.loop.run()\n`,
      '/app/worker/__init__.py': `from .shutdown import install\ninstall()\n`,
      '/app/worker/loop.py': `def run():\n    pass\n`,
      '/app/worker/shutdown.py': `import signal\ndef install():\n    signal.signal(signal.SIGTERM, lambda *a: None)\n`,
    };
    assert.equal(check(['python', 'app.py'], files).handler, 'yes');
  });

  test('relative import not in the context → unknown', () => {
    const v = check(['python', '-m', 'svc'], { '/app/svc/__main__.py': `from .generated import api\n` });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /\.generated .*not in the build context/);
  });

  test('SIG_IGN / SIG_DFL are not handlers', () => {
    const v = check(['python', 'a.py'], { '/app/a.py': `import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n` });
    assert.equal(v.handler, 'none');
    assert.match(v.note, /ignores SIGTERM/);
    const i = check(['python', 'a.py'], { '/app/a.py': `from signal import signal, SIGINT, SIG_IGN\nsignal(SIGINT, SIG_IGN)\n` }, 'SIGINT');
    assert.equal(i.handler, 'none');
  });

  test('uvicorn.run() / web.run_app() install handlers; a known handler library → unknown', () => {
    assert.equal(check(['python', 'main.py'], { '/app/main.py': `import uvicorn\nfrom api import app\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0")\n`, '/app/api.py': `app = None\n` }).handler, 'yes');
    assert.equal(check(['python', 'main.py'], { '/app/main.py': `from aiohttp import web\nweb.run_app(web.Application())\n` }).handler, 'yes');
    const c = check(['python', 'manage.py', 'runserver'], { '/app/manage.py': `from django.core.management import execute_from_command_line\nimport sys\nexecute_from_command_line(sys.argv)\n` });
    assert.equal(c.handler, 'unknown');
    assert.match(c.note, /django/);
  });

  test('dynamic signal or computed import → unknown', () => {
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import signal, os\nsignal.signal(int(os.environ["SIG"]), print)\n` }).handler, 'unknown');
    assert.equal(check(['python', 'a.py'], { '/app/a.py': `import importlib, os\nimportlib.import_module(os.environ["APP"])\n` }).handler, 'unknown');
  });

  test('syntax errors → unknown', () => {
    const v = check(['python', 'a.py'], { '/app/a.py': `import time\ndef loop(:\n    time.sleep(1)\n` });
    assert.equal(v.handler, 'unknown');
    assert.match(v.note, /syntax errors/);
  });

  test('-c, missing file, installed module → unknown (SIGINT still graceful by default)', () => {
    assert.equal(check(['python', '-c', 'import app'], {}).handler, 'unknown');
    assert.equal(check(['python', 'missing.py'], {}).handler, 'unknown');
    assert.equal(check(['python', '-m', 'flask', 'run'], {}).handler, 'unknown');
    assert.equal(check(['python', '-m', 'flask', 'run'], {}, 'SIGINT').handler, 'yes');
  });

  test('an executable with a python #! line is analysed as python', () => {
    const v = check(['worker'], { '/usr/local/bin/worker': `#!/usr/bin/env python3\nimport signal\nsignal.signal(signal.SIGTERM, print)\n` });
    assert.equal(v.runtime, 'python');
    assert.equal(v.handler, 'yes');
  });
});

describe('servers and runtimes run by name', () => {
  test('nginx: SIGTERM stops it fast, SIGQUIT is its graceful signal', () => {
    const t = check(['nginx', '-g', 'daemon off;'], {});
    assert.equal(t.runtime, 'server');
    assert.equal(t.handler, 'yes');
    assert.match(t.note, /SIGQUIT/);
    assert.equal(check(['nginx'], {}, 'SIGQUIT').handler, 'yes');
    assert.equal(check(['nginx'], {}, 'SIGUSR1').handler, 'unknown');
  });

  test('python and ruby servers, databases, httpd', () => {
    for (const argv of [['gunicorn', '-b', '0.0.0.0:8000', 'app:app'], ['uvicorn', 'main:app'], ['hypercorn', 'main:app'], ['python', '-m', 'gunicorn', 'app:app'],
      ['python3', '-m', 'uvicorn', 'main:app'], ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'], ['unicorn', '-c', 'u.rb'], ['postgres'], ['redis-server', '/etc/redis.conf'],
      ['mysqld'], ['httpd-foreground'], ['/usr/sbin/apache2'], ['php-fpm8.2', '-F']]) {
      const v = check(argv, {});
      assert.equal(v.handler, 'yes', argv.join(' '));
      assert.equal(v.runtime, 'server', argv.join(' '));
    }
    assert.match(check(['postgres'], {}).note, /graceful stop signal is SIGINT/);
    assert.match(check(['unicorn'], {}).note, /SIGQUIT/);
    assert.match(check(['bundle', 'exec', 'puma'], {}).note, /^bundle exec/);
  });

  test('JVM: shutdown hooks on SIGTERM/SIGINT/SIGHUP; -Xrs ignores them; SIGQUIT is a thread dump', () => {
    const v = check(['java', '-Xmx512m', '-jar', 'app.jar'], {});
    assert.equal(v.runtime, 'jvm');
    assert.equal(v.handler, 'yes');
    assert.deepEqual(v.defaultGraceful, ['SIGTERM', 'SIGINT', 'SIGHUP']);
    assert.equal(check(['java', '-Xrs', '-jar', 'app.jar'], {}).handler, 'none');
    assert.equal(check(['java', '-jar', 'app.jar'], {}, 'SIGQUIT').handler, 'none');
  });

  test('ruby: SignalException by default', () => {
    const v = check(['ruby', 'worker.rb'], {});
    assert.equal(v.runtime, 'ruby');
    assert.equal(v.handler, 'yes');
    assert.ok(v.defaultGraceful.includes('SIGTERM'));
  });

  test('go run, unknown binaries, shells → unknown', () => {
    const g = check(['go', 'run', './cmd/api'], {});
    assert.equal(g.runtime, 'go');
    assert.equal(g.handler, 'unknown');
    assert.match(g.note, /killed with it/);
    const b = check(['/usr/local/bin/api-server', '--port', '8080'], {});
    assert.equal(b.runtime, 'unknown');
    assert.equal(b.handler, 'unknown');
    assert.equal(check(['sh', '-c', 'x'], {}).runtime, 'shell');
    assert.equal(check([], {}).handler, 'unknown');
  });
});

// ---------------------------------------------------------------------------------------------------
// Live: run the fixture apps as PID 1 and compare with the prediction.

// out/test/unit → the repository's test/fixtures/apps
const APPS = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'apps');
const GRACE_MS = 2000;

/** Disk resolver for a fixture directory copied to /app. */
function diskResolver(dir: string): (p: string) => AppSource | undefined {
  return (p) => {
    if (!p.startsWith('/app/')) return undefined;
    const f = path.join(dir, p.slice('/app/'.length));
    try {
      return fs.statSync(f).isFile() ? { file: f, text: fs.readFileSync(f, 'utf8') } : undefined;
    } catch {
      return undefined;
    }
  };
}

let unsharePrefix: string[] | undefined;
let unshareSkip: string | false = false;

function probeUnshare(): void {
  for (const prefix of [['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'], ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--mount-proc', '--kill-child']]) {
    const r = spawnSync(prefix[0], [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (r.status === 0) {
      unsharePrefix = prefix;
      return;
    }
  }
  unshareSkip = 'unshare --pid --fork --mount-proc is not permitted here (needs root or unprivileged user namespaces), so the apps cannot be run as PID 1';
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

interface Run { exited: boolean; ms: number; output: string }

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.off('exit', done);
      resolve(false);
    }, ms);
    function done() {
      clearTimeout(t);
      resolve(true);
    }
    child.once('exit', done);
  });
}

/** Runs cmd as PID 1 of a new PID namespace, waits for "ready", sends `signal`, and waits GRACE_MS for it to exit. */
async function runAsPid1(cwd: string, cmd: string[], signal: NodeJS.Signals): Promise<Run> {
  const prefix = unsharePrefix!;
  const child = spawn(prefix[0], [...prefix.slice(1), ...cmd], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += String(d); });
  child.stderr!.on('data', (d) => { output += String(d); });
  let init: number | undefined;
  try {
    const ready = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 15000);
      const onData = () => {
        if (/^ready$/m.test(output)) {
          clearTimeout(t);
          resolve(true);
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    if (!ready) throw new Error(`${cmd.join(' ')} did not get ready:\n${output}`);
    const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
    init = Number(children[0]);
    assert.ok(init > 0, 'PID 1 of the namespace found');
    const t0 = Date.now();
    process.kill(init, signal);
    const exited = await waitExit(child, GRACE_MS);
    return { exited, ms: Date.now() - t0, output };
  } finally {
    // Never leave a process behind: SIGKILL the namespace's PID 1 (the kernel kills the rest), then unshare.
    if (child.exitCode === null && child.signalCode === null) {
      if (init) {
        try { process.kill(init, 'SIGKILL'); } catch { /* already gone */ }
      }
      if (!(await waitExit(child, 3000))) child.kill('SIGKILL');
      await waitExit(child, 3000);
    }
  }
}

interface LiveCase { app: string; argv: string[]; signal: NodeJS.Signals; needs: string; expect: 'yes' | 'none' }

const LIVE: LiveCase[] = [
  { app: 'node-handler', argv: ['node', 'server.js'], signal: 'SIGTERM', needs: 'node', expect: 'yes' },
  { app: 'node-esm-handler', argv: ['node', 'index.mjs'], signal: 'SIGTERM', needs: 'node', expect: 'yes' },
  { app: 'node-none', argv: ['node', 'server.js'], signal: 'SIGTERM', needs: 'node', expect: 'none' },
  { app: 'node-none', argv: ['node', 'server.js'], signal: 'SIGINT', needs: 'node', expect: 'none' },
  { app: 'python-handler', argv: ['python3', 'app.py'], signal: 'SIGTERM', needs: 'python3', expect: 'yes' },
  { app: 'python-asyncio-handler', argv: ['python3', '-m', 'svc'], signal: 'SIGTERM', needs: 'python3', expect: 'yes' },
  { app: 'python-none', argv: ['python3', '-u', 'app.py'], signal: 'SIGTERM', needs: 'python3', expect: 'none' },
  { app: 'python-none', argv: ['python3', '-u', 'app.py'], signal: 'SIGINT', needs: 'python3', expect: 'yes' },
  { app: 'jvm-hook', argv: ['java', 'Main.java'], signal: 'SIGTERM', needs: 'java', expect: 'yes' },
  { app: 'jvm-plain', argv: ['java', '-Xrs', 'Main.java'], signal: 'SIGTERM', needs: 'java', expect: 'none' },
];

describe('live: the fixture apps as PID 1 behave as predicted', { concurrency: true }, () => {
  before(() => probeUnshare());
  for (const c of LIVE) {
    test(`${c.app}: ${c.argv.join(' ')} ← ${c.signal}`, async (t) => {
      if (unshareSkip) return t.skip(unshareSkip);
      if (!have(c.needs)) return t.skip(`${c.needs} is not installed`);
      const dir = path.join(APPS, c.app);
      const v = appHandler(c.argv, c.signal, diskResolver(dir), '/app');
      assert.equal(v.handler, c.expect, `prediction for ${c.app}: ${v.note}`);
      const exe = c.needs === 'node' ? process.execPath : c.argv[0];
      const r = await runAsPid1(dir, [exe, ...c.argv.slice(1)], c.signal);
      if (c.expect === 'yes') {
        assert.ok(r.exited, `${c.app} should exit on ${c.signal} (predicted: ${v.note})\n${r.output}`);
      } else {
        assert.ok(!r.exited, `${c.app} should still run ${GRACE_MS} ms after ${c.signal} (predicted: ${v.note}); it exited after ${r.ms} ms\n${r.output}`);
      }
    });
  }
});
