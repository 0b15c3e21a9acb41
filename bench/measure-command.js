#!/usr/bin/env node
// Runs a command and measures it as budgets.json counts it: its wall time, and the peak of the memory of its whole
// process tree: the sum of every descendant's proportional set size (Pss, from /proc/PID/smaps_rollup: a page shared
// by n processes counts 1/n in each, so the sum is what the tree holds), sampled every 250 ms. Plain JavaScript, so
// that measuring starts no compiler.
//
// Usage: node bench/measure-command.js OUT.json -- COMMAND [ARGS...]
// Writes {"command", "seconds", "peakMemoryMB", "exitCode"} to OUT.json, prints one line, and exits as the command did.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');

const PAGE_BYTES = 4096;
const SAMPLE_MS = 250;

function main() {
  const separator = process.argv.indexOf('--');
  const out = process.argv[2];
  const command = process.argv.slice(separator + 1);
  if (separator !== 3 || command.length === 0) {
    process.stderr.write('usage: node bench/measure-command.js OUT.json -- COMMAND [ARGS...]\n');
    process.exit(2);
  }
  const started = process.hrtime.bigint();
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  let peak = { bytes: 0, processes: [] };
  const sampler = setInterval(() => {
    const sample = treeMemory(child.pid);
    if (sample.bytes > peak.bytes) {
      peak = sample;
    }
  }, SAMPLE_MS);
  child.on('exit', (code, signal) => {
    clearInterval(sampler);
    const result = {
      command: command.join(' '),
      seconds: Math.round(Number(process.hrtime.bigint() - started) / 1e8) / 10,
      peakMemoryMB: Math.round(peak.bytes / 2 ** 20),
      // What held the memory at the peak: the largest processes, for whoever must bring it down.
      peakProcesses: peak.processes.sort((a, b) => b.bytes - a.bytes).slice(0, 4)
        .map(p => `${Math.round(p.bytes / 2 ** 20)} MB: ${p.command.slice(0, 160)}`),
      exitCode: code ?? 1,
    };
    fs.writeFileSync(out, JSON.stringify(result, undefined, 2) + '\n');
    process.stdout.write(`measured: ${result.command}: ${result.seconds} s, peak memory ${result.peakMemoryMB} MB` +
      `${signal ? `, ended by ${signal}` : ''}\n`);
    process.exit(result.exitCode);
  });
}

/** The memory of `root` and every process descended from it, now: in all, and per process. */
function treeMemory(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = read(`/proc/${entry}/stat`);
    if (stat === undefined) {
      continue;
    }
    // The command name (field 2) may hold spaces and parentheses: the parent is the 2nd field after its last ')'.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...children.get(parent) ?? [], Number(entry)]);
  }
  const processes = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop();
    const command = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
    processes.push({ bytes: proportionalBytes(pid), command });
    pending.push(...children.get(pid) ?? []);
  }
  return { bytes: processes.reduce((sum, p) => sum + p.bytes, 0), processes };
}

/** The proportional set size of `pid`, or its resident size where the kernel has no smaps_rollup (before 4.14). */
function proportionalBytes(pid) {
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  const pss = rollup === undefined ? undefined : /^Pss:\s+(\d+) kB$/m.exec(rollup);
  if (pss) {
    return Number(pss[1]) * 1024;
  }
  const statm = read(`/proc/${pid}/statm`);
  return statm === undefined ? 0 : Number(statm.split(' ')[1]) * PAGE_BYTES;
}

/** A /proc file's text, or undefined when its process ended meanwhile. */
function read(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

main();
