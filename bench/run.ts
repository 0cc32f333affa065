#!/usr/bin/env node
/**
 * `npm run bench`: times tote against podman, case by case, on this machine.
 *
 *   node dist/bench/run.js [--runs N] [--warmup N] [--only case,…] [--json FILE]
 *                          [--user NAME] [--keep] [--no-podman]
 *
 * Each case runs for both tools, alternating (tote, podman, podman, tote, …)
 * so that drift in the machine's speed hits both; warm-up runs are not
 * counted; the table shows medians and their ratio against the target from
 * issue 3. As root, the commands run as an unprivileged test user (default
 * `tote-test`), because rootless is the product. Each tool gets its own
 * storage in a fresh temporary directory, removed at the end.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { CASES, importImage, type BenchEnv, type Case, type MemoryCase, type State, type TimedCase } from './cases.js';
import { findProcesses, lookupUser, median, mustRun, runCommand, sleep, which, type RunAs } from './proc.js';
import { stopRegistry } from './registry.js';
import { makeTools, removeContainers, startSleeper, toolTry, type Tool, type ToolName } from './tools.js';

interface Options {
  runs: number;
  warmup: number;
  only?: string[];
  json?: string;
  user: string;
  keep: boolean;
  podman: boolean;
}

interface Sample {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

interface Row {
  id: string;
  label: string;
  kind: Case['kind'];
  unit: 'ms' | 'KB' | 'MiB/s' | '';
  target: string;
  targetRatio?: number;
  tote?: Sample;
  podman?: Sample;
  ratio?: number;
  pass?: boolean;
  /** Throughput case: bytes per run, and MiB/s per tool from the median time. */
  bytes?: number;
  mibps?: Partial<Record<ToolName, number>>;
  note?: string;
  error?: string;
  /** Memory case: the processes counted, per tool. */
  processes?: Partial<Record<ToolName, { comm: string; rssKb: number }[]>>;
}

const USAGE = `usage: node dist/bench/run.js [--runs N] [--warmup N] [--only case,...] [--json FILE] [--user NAME] [--keep] [--no-podman]
cases: ${CASES.map((c) => c.id).join(', ')}`;

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 7, warmup: 3, user: 'tote-test', keep: false, podman: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const count = (min: number): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer ≥ ${min}, got "${v}"`);
      return n;
    };
    switch (flag) {
      case '--runs': o.runs = count(1); break;
      case '--warmup': o.warmup = count(0); break;
      case '--only': o.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--json': o.json = value(); break;
      case '--user': o.user = value(); break;
      case '--keep': o.keep = true; break;
      case '--no-podman': o.podman = false; break;
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      default:
        throw new Error(`unknown argument "${a}"\n${USAGE}`);
    }
  }
  if (o.only) {
    const unknown = o.only.filter((id) => !CASES.some((c) => c.id === id));
    if (unknown.length) throw new Error(`unknown case(s): ${unknown.join(', ')}\n${USAGE}`);
  }
  return o;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.resolve(here, '..');
const repoRoot = path.resolve(distDir, '..');

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function stats(xs: number[]): Sample {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), samples: xs.map(r) };
}

function makeRunAs(o: Options, xdg: string): RunAs {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && o.user !== 'root') {
    const u = lookupUser(o.user);
    return {
      name: o.user,
      uid: u.uid,
      gid: u.gid,
      home: u.home && existsSync(u.home) ? u.home : '/',
      switchUser: true,
      env: {
        PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
        HOME: u.home,
        USER: o.user,
        LOGNAME: o.user,
        LANG: process.env.LANG || 'C.UTF-8',
        XDG_RUNTIME_DIR: xdg,
      },
    };
  }
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const name = os.userInfo().username;
  // A private XDG_RUNTIME_DIR: podman keeps its rootless pause process and
  // tmpdir there, so the benchmark neither reuses nor disturbs the user's.
  return { name, uid, gid, home: os.homedir(), switchUser: false, env: { ...process.env, XDG_RUNTIME_DIR: xdg } };
}

async function timedCase(c: TimedCase, tools: Tool[], env: BenchEnv, o: Options, row: Row): Promise<void> {
  const states = new Map<ToolName, State>(tools.map((t) => [t.name, {}]));
  const samples = new Map<ToolName, number[]>(tools.map((t) => [t.name, []]));
  const warmups = c.warmups ?? o.warmup;
  const runs = c.runs ?? o.runs;
  try {
    for (const t of tools) await c.setup?.(t, env, states.get(t.name)!);
    for (let i = 0; i < warmups + runs; i++) {
      // Alternate who goes first, so neither always runs right after the other.
      const order = i % 2 ? [...tools].reverse() : tools;
      for (const t of order) {
        const state = states.get(t.name)!;
        const prepared = await c.prepare?.(t, env, state, i);
        const args = c.args(t, prepared, state);
        const base = c.base?.(t, prepared, state) ?? t.base;
        const out = await runCommand([...base, ...args], t.runAs, t.scratch);
        if (out.code !== 0) {
          const why = out.signal ? `signal ${out.signal}` : `exit ${out.code}`;
          throw new Error(`${t.name} ${args.join(' ')}: ${why}: ${out.stderr.trim().split('\n').slice(-2).join(' | ')}`);
        }
        if (i >= warmups) samples.get(t.name)!.push(out.ms);
        await c.after?.(t, env, state, prepared, out.stdout);
      }
    }
  } catch (e) {
    row.error = e instanceof Error ? e.message : String(e);
  } finally {
    for (const t of tools) {
      try {
        await c.teardown?.(t, env, states.get(t.name)!);
      } catch (e) {
        log(`  teardown of ${c.id} for ${t.name} failed: ${e instanceof Error ? e.message : e}`);
      }
    }
  }
  for (const t of tools) {
    const xs = samples.get(t.name)!;
    if (xs.length === runs) row[t.name] = stats(xs);
  }
  if (c.bytes) {
    const bytes = c.bytes(states.get(tools[0].name)!);
    row.bytes = bytes;
    for (const t of tools) {
      const s = row[t.name];
      if (s) (row.mibps ??= {})[t.name] = Math.round((bytes / 2 ** 20 / (s.median / 1000)) * 10) / 10;
    }
  }
}

async function memoryCase(c: MemoryCase, tools: Tool[], row: Row): Promise<void> {
  for (const t of tools) {
    const ids: string[] = [];
    try {
      for (let i = 0; i < c.containers; i++) ids.push(await startSleeper(t));
      await sleep(1000);
      const per: number[] = [];
      let counted: { comm: string; rssKb: number }[] = [];
      for (let s = 0; s < 3; s++) {
        const procs = findProcesses(t.residentNames).filter(
          (p) => p.uid === t.runAs.uid && (t.ownDirs.some((d) => p.cmdline.includes(d)) || ids.some((id) => p.cmdline.includes(id))),
        );
        counted = procs.map((p) => ({ comm: p.comm, rssKb: p.rssKb }));
        per.push(procs.reduce((sum, p) => sum + p.rssKb, 0) / c.containers);
        await sleep(300);
      }
      row[t.name] = stats(per);
      (row.processes ??= {})[t.name] = counted;
    } catch (e) {
      row.error = e instanceof Error ? e.message : String(e);
    } finally {
      await removeContainers(t, ids);
    }
  }
}

function fmt(s: Sample | undefined, unit: Row['unit'], mibps?: number): string {
  if (!s) return '–';
  if (unit === 'MiB/s') return `${Math.round(mibps ?? 0)} MiB/s (${(s.median / 1000).toFixed(2)} s)`;
  return unit === 'KB' ? `${Math.round(s.median)} KB` : `${Math.round(s.median)} ms`;
}

function table(rows: Row[], havePodman: boolean): string {
  const head = ['case', 'tote median', 'podman median', 'ratio', 'target', 'result'];
  const body = rows.map((r) => {
    let result: string;
    if (r.note) result = r.note;
    else if (r.error) result = `error: ${r.error.slice(0, 120)}`;
    else if (!havePodman) result = 'no podman';
    else result = r.pass ? 'pass' : 'FAIL';
    return [
      r.kind === 'time' ? `\`${r.label}\`` : r.label,
      fmt(r.tote, r.unit, r.mibps?.tote),
      fmt(r.podman, r.unit, r.mibps?.podman),
      r.ratio === undefined ? '–' : r.ratio.toFixed(2),
      r.target,
      result,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function versionOf(argv: string[]): string | undefined {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function cleanup(tools: Tool[], work: string, runAs: RunAs, xdg: string, keep: boolean): Promise<void> {
  for (const t of tools) {
    await toolTry(t, t.name === 'podman' ? ['rm', '-a', '-f', '-t', '0'] : ['rm', '-a', '-f']).catch(() => undefined);
    if (!keep) {
      // Storage holds files owned by subordinate ids: remove it from inside the user namespace.
      await toolTry(t, ['unshare', 'rm', '-rf', ...t.ownDirs]).catch(() => undefined);
    }
  }
  // podman's rootless pause process (started by us, in our private XDG_RUNTIME_DIR).
  const pauseFile = path.join(xdg, 'libpod', 'tmp', 'pause.pid');
  try {
    const pid = Number(readFileSync(pauseFile, 'utf8').trim());
    if (pid > 1) process.kill(pid, 'SIGKILL');
  } catch {
    // none started
  }
  if (!keep) {
    try {
      rmSync(work, { recursive: true, force: true });
    } catch (e) {
      log(`could not remove ${work}: ${e instanceof Error ? e.message : e} (remove it as ${runAs.name} with \`tote unshare rm -rf\`)`);
    }
  } else {
    log(`kept the work directory ${work}`);
  }
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const toteMain = path.join(distDir, 'cli', 'main.js');
  const makeTar = path.join(distDir, 'e2e', 'fixtures', 'make-busybox-tar.js');
  if (!existsSync(toteMain)) throw new Error(`${toteMain} not found: run \`npm run build\` first`);

  const work = mkdtempSync(path.join(os.tmpdir(), 'tote-bench-'));
  const xdg = path.join(work, 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  const runAs = makeRunAs(o, xdg);
  chmodSync(work, 0o755);
  if (runAs.switchUser) {
    chownSync(work, runAs.uid, runAs.gid);
    chownSync(xdg, runAs.uid, runAs.gid);
  }
  const podman = o.podman ? which('podman') : undefined;
  const tools = makeTools({ work, toteMain, podman, runAs });
  if (runAs.switchUser) {
    for (const t of tools) {
      chownSync(path.dirname(t.scratch), runAs.uid, runAs.gid);
      chownSync(t.scratch, runAs.uid, runAs.gid);
    }
  }

  const machine = {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    podman: podman ? versionOf([podman, '--version']) : undefined,
    runc: versionOf(['runc', '--version'])?.split('\n')[0],
    crun: versionOf(['crun', '--version'])?.split('\n')[0],
    tote: JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string,
    user: runAs.name,
    runs: o.runs,
    warmup: o.warmup,
  };
  log(`tote bench: ${machine.date}, ${machine.nproc} CPUs, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, node ${machine.node}`);
  log(`  ${machine.podman ?? (o.podman ? 'podman not found: printing tote\'s numbers only' : 'podman skipped (--no-podman)')}; running as ${runAs.name}; ${o.runs} runs + ${o.warmup} warm-ups per case`);

  const rows: Row[] = [];
  try {
    // The same busybox rootfs for both tools, built by the user who runs them.
    const busyboxTar = path.join(work, 'busybox.tar');
    await mustRun([process.execPath, makeTar, busyboxTar], runAs, tools[0].scratch);
    for (const t of tools) await importImage(t, busyboxTar);
    const env: BenchEnv = { busyboxTar, work, runAs };

    const selected = CASES.filter((c) => !o.only || o.only.includes(c.id));
    for (const c of selected) {
      const row: Row = {
        id: c.id,
        label: c.label,
        kind: c.kind,
        unit: c.kind === 'memory' ? 'KB' : c.kind === 'time' ? (c.bytes ? 'MiB/s' : 'ms') : '',
        target:
          c.kind === 'pending' ? c.target : c.kind === 'memory' ? 'tote ≤ podman' : c.bytes ? `throughput ≥ ${c.target}×` : `≤ ${c.target}`,
        targetRatio: c.kind === 'pending' ? undefined : c.target,
      };
      rows.push(row);
      if (c.kind === 'pending') {
        row.note = c.note;
        continue;
      }
      log(`${c.id} …`);
      const started = Date.now();
      if (c.kind === 'time') await timedCase(c, tools, env, o, row);
      else await memoryCase(c, tools, row);
      if (row.mibps?.tote && row.mibps.podman) {
        // Throughput: higher is better, so the ratio is tote's over podman's.
        row.ratio = row.mibps.tote / row.mibps.podman;
        row.pass = row.ratio >= c.target;
      } else if (row.unit !== 'MiB/s' && row.tote && row.podman && row.podman.median > 0) {
        row.ratio = row.tote.median / row.podman.median;
        row.pass = row.ratio <= c.target;
      }
      const show = (s: Sample | undefined, name: ToolName) =>
        !s
          ? '–'
          : row.unit === 'MiB/s'
            ? `${Math.round(row.mibps?.[name] ?? 0)} MiB/s (${Math.round(s.min)}–${Math.round(s.max)} ms)`
            : `${Math.round(s.median)} ${row.unit} (${Math.round(s.min)}–${Math.round(s.max)})`;
      log(
        `  tote ${show(row.tote, 'tote')}  podman ${show(row.podman, 'podman')}` +
          (row.ratio !== undefined ? `  ratio ${row.ratio.toFixed(2)}` : '') +
          (row.error ? `  ERROR ${row.error}` : '') +
          `  [${((Date.now() - started) / 1000).toFixed(0)} s]`,
      );
    }
  } finally {
    await stopRegistry();
    await cleanup(tools, work, runAs, xdg, o.keep);
  }

  process.stdout.write(`\n${table(rows, Boolean(podman))}\n\n`);
  const result = { machine, cases: rows };
  const latest = path.join(repoRoot, 'bench', 'results', 'latest.json');
  mkdirSync(path.dirname(latest), { recursive: true });
  writeFileSync(latest, `${JSON.stringify(result, null, 2)}\n`);
  log(`results: ${path.relative(process.cwd(), latest) || latest}`);
  if (o.json) {
    writeFileSync(o.json, `${JSON.stringify(result, null, 2)}\n`);
    log(`results: ${o.json}`);
  }
  return rows.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
