#!/usr/bin/env python3
"""Goal 1: does `SHELL -c STRING` exec its final command?
Probe = `cat /proc/self/stat`; if cat's pid (field 1) == spawned shell pid -> exec'd.
Usage: python3 exec_probe.py [rounds]"""
import subprocess, re, sys, os
P = "cat /proc/self/stat"
SHELLS = {"dash": ["/usr/bin/dash", "-c"], "ash": ["/usr/bin/busybox", "sh", "-c"], "bash": ["/bin/bash", "-c"]}
C = [  # (label, string, shells or None=all)
 ("P", "P"), ("true && P", "true && P"), ("cd /tmp && P", "cd /tmp && P"), ("true; P", "true; P"),
 ("false || P", "false || P"), ("P 2>&1", "P 2>&1"), ("P >/dev/stderr", "P >/dev/stderr"),
 ("true && P 2>&1", "true && P 2>&1"), ("P | cat", "P | cat"), ("exec P", "exec P"),
 ("FOO=1 P", "FOO=1 P"), ("FOO=1 exec P", "FOO=1 exec P"), ("if true; then P; fi", "if true; then P; fi"),
 ("{ P; }", "{ P; }"), ("(P)", "(P)"), ("P & wait", "P & wait"),
 ("trap 'echo x' TERM; P", "trap 'echo x' TERM; P"), ("trap 'echo x' EXIT; P", "trap 'echo x' EXIT; P"),
 ("set -e; P", "set -e; P"), ("export A=1; P", "export A=1; P"), ("x=$(echo 1); P", "x=$(echo 1); P"),
 ("P; true", "P; true"), ("true\\nP", "true\nP"), ("! P", "! P"), ("time P", "time P", ["bash"]),
 ("command P", "command P"), ("eval P", "eval P"), (". /dev/null; P", ". /dev/null; P"),
 ("cd /tmp; P", "cd /tmp; P"), ("true && true && P", "true && true && P"),
 ("cat $F (F=/proc/self/stat)", "cat $F"), ("cat /proc/self/stat $NOPE", "P $NOPE"),
 ('"cat" /proc/self/stat', '"cat" /proc/self/stat'),
 ("P\\n (trailing newline)", "P\n"), ("P;", "P;"),
]
def run(argv, s):
    env = dict(os.environ, F="/proc/self/stat"); env.pop("NOPE", None)
    p = subprocess.Popen(argv + [s], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    out, _ = p.communicate(timeout=10)
    m = re.search(r"^(\d+) \(cat\) \S+ (\d+)", out, re.M)
    if not m: return "ERR:" + out.strip()[:40]
    return "yes" if int(m.group(1)) == p.pid else "no"
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
res = {}
for r in range(rounds):
    for c in C:
        label, s = c[0], c[1].replace("P", P) if c[1] != '"cat" /proc/self/stat' else c[1]
        for sh, argv in SHELLS.items():
            if len(c) > 2 and sh not in c[2]: v = "n/a"
            else: v = run(argv, s)
            res.setdefault((label, sh), []).append(v)
print(f"{'construct':32} {'dash':6} {'ash':6} {'bash':6}")
for c in C:
    row = []
    for sh in SHELLS:
        vs = res[(c[0], sh)]
        row.append(vs[0] if len(set(vs)) == 1 else "UNSTABLE:" + "/".join(vs))
    print(f"{c[0]:32} " + " ".join(f"{v:6}" for v in row))
