/** `tote stats [CONTAINER...]` / `tote container stats`: live resource use. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface StatsArgs extends GlobalArgs {
  containers: string[];
  all?: boolean;
  noStream?: boolean;
  noTrunc?: boolean;
  format?: string;
  interval?: number;
}

const HEADERS: Record<string, string> = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

const DEFAULT_TEMPLATE = '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const statsCommand: CommandModule<GlobalArgs, StatsArgs> = {
  command: 'stats [containers..]',
  describe: 'Display a live stream of container resource usage statistics',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers (default: every running one)' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show all containers (default shows just running)' })
      .option('no-stream', { type: 'boolean', describe: 'Show one sample and exit' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' })
      .option('interval', { alias: 'i', type: 'number', default: 1, describe: 'Seconds between samples when streaming' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ allContainers, findContainer, refreshStatus, sampleStats, cpuPercent }, fmt, { UsageError }] = await Promise.all([
      import('../../lib/container/index.js'),
      import('../../lib/format/index.js'),
      import('../../lib/errors/index.js'),
    ]);
    const interval = Number(args.interval ?? 1);
    if (!Number.isFinite(interval) || interval <= 0) throw new UsageError(`invalid --interval ${args.interval}: must be a positive number of seconds`);
    const named = args.containers.map(String);
    // Containers named up front must exist (docker: "No such container").
    const fixed = named.length ? await Promise.all(named.map((n) => findContainer(ctx.config, n))) : undefined;
    const targets = async () => {
      const list = fixed ? await Promise.all(fixed.map((c) => refreshStatus(ctx.config, c))) : await Promise.all((await allContainers(ctx.config)).map((c) => refreshStatus(ctx.config, c)));
      return fixed || args.all ? list : list.filter((c) => c.status === 'running' || c.status === 'paused');
    };
    const previous = new Map<string, { cpuNs?: number; at: number }>();
    const dash = '--';
    const pct = (n: number) => `${n.toFixed(2)}%`;
    const pair = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? dash : `${fmt.humanSize(a)} / ${fmt.humanSize(b)}`);
    const format = args.format ?? `table ${DEFAULT_TEMPLATE}`;
    const tty = Boolean(process.stdout.isTTY) && !args.noStream;
    for (;;) {
      const list = await targets();
      const samples = await Promise.all(list.map((c) => sampleStats(c)));
      const rows = samples.map((s, i) => {
        const c = list[i];
        // First sample: CPU averaged since the container started (podman's --no-stream).
        const prev = previous.get(s.id) ?? (c.startedAt ? { cpuNs: 0, at: Date.parse(c.startedAt) } : undefined);
        if (s.running) previous.set(s.id, { cpuNs: s.cpuNs, at: s.at });
        const mem = s.memoryBytes;
        const limit = s.memoryLimit;
        return {
          BlockIO: pair(s.blockRead, s.blockWrite),
          CPUPerc: s.cpuNs === undefined ? dash : pct(cpuPercent(s, prev)),
          Container: named[i] ?? (args.noTrunc ? s.id : s.id.slice(0, 12)),
          ID: args.noTrunc ? s.id : s.id.slice(0, 12),
          MemPerc: mem === undefined || !limit ? dash : pct((mem / limit) * 100),
          MemUsage: mem === undefined ? dash : `${fmt.bytesSize(mem)} / ${fmt.bytesSize(limit ?? 0)}`,
          Name: s.name,
          NetIO: pair(s.netRx, s.netTx),
          PIDs: s.pids === undefined ? dash : String(s.pids),
        };
      });
      const text = fmt.renderFormatted(format, rows, HEADERS, { defaultTemplate: DEFAULT_TEMPLATE });
      // On a terminal, redraw in place like docker; otherwise one table per sample.
      process.stdout.write((tty ? '\x1b[2J\x1b[H' : '') + text);
      if (args.noStream) return;
      await sleep(interval * 1000);
    }
  },
};
