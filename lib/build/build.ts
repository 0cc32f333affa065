/**
 * `tote build`: a Dockerfile run step by step in the classic builder's way.
 * Every step makes an image (metadata steps without a layer, RUN from an
 * intermediate container's changes, COPY/ADD from a tar packed straight
 * from the sources), and every step is looked up in the cache first.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { NoSuchImageError, ToteError, UsageError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { createContainer, removeContainer, resolveUser, runAttached } from '../container/index.js';
import { readImageFile } from '../container/image-files.js';
import { containerLayer, ensureImage, findImage, readImageConfig, storeImage, tagImage, type ImageRuntimeConfig } from '../image/index.js';
import { layerDir, loadImages, type ContainerRecord, type ImageRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { cacheKey, cacheLookup, cacheStore } from './cache.js';
import { hashPlan, packPlan, parseChmod, planCopy } from './copy.js';
import { parseDockerfile, parseInstruction, type Instruction } from './parse.js';
import { contextFs, layersFs, resolveScoped, type SourceFs } from './sources.js';
import { parseJsonArray, parseNameValues, processWord, processWords, splitRawWords } from './words.js';

export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

export interface BuildOutput {
  /** A line of the classic output (`Step 1/5 : …`, ` ---> …`). */
  line(text: string): void;
  /** Where RUN's output goes. */
  stdout: Writable;
  stderr: Writable;
}

export interface BuildOptions {
  /** The context directory; undefined when there is none (`-` with a Dockerfile on stdin). */
  contextDir?: string;
  dockerfile: { text: string; name: string };
  tags?: string[];
  labels?: Record<string, string>;
  /** `--build-arg`: K → V (already resolved from the host env for `K` alone; undefined when unset there). */
  buildArgs?: Record<string, string | undefined>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  network?: string;
  iidfile?: string;
  output: BuildOutput;
  reporter?: Reporter;
}

export class BuildStepError extends ToteError {
  constructor(step: string, message: string, exitCode = 125, cause?: unknown) {
    super('E_BUILD_STEP', `building at STEP "${step}": ${message}`, { exitCode, cause });
    this.name = 'BuildStepError';
  }
}

interface Stage {
  name?: string;
  index: number;
  image?: ImageRecord;
  config: ImageRuntimeConfig;
  /** ARGs declared in this stage, with their values. */
  args: Map<string, string>;
  /** A CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet?: boolean;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** Go durations (`30s`, `1m30s`, `500ms`) → nanoseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== text.length || text === '') throw new UsageError(`invalid duration "${text}"`);
  return Math.round(total);
}

function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    m.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
  }
  return m;
}

function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = (env ?? []).filter((e) => e.split('=', 1)[0] !== key);
  out.push(`${key}=${value}`);
  return out;
}

export async function buildImage(config: ToteConfig, plan: UsernsPlan, o: BuildOptions): Promise<string> {
  const reporter = o.reporter ?? silentReporter;
  const out = o.output;
  const file = o.dockerfile.name;
  const parsed = parseDockerfile(o.dockerfile.text, file);
  if (parsed.syntax) out.line(`NOTE: the "# syntax=${parsed.syntax}" directive is ignored: tote builds with its own frontend`);
  const escape = parsed.escape;
  const buildArgs = o.buildArgs ?? {};
  const tags = o.tags ?? [];
  for (const t of tags) {
    const { parseReference } = await import('../image/index.js');
    if (parseReference(t).digest) throw new UsageError(`invalid tag "${t}": a tag cannot contain a digest`);
  }

  // Split into the global ARGs and the stages.
  const globalIns: Instruction[] = [];
  const stages: Instruction[][] = [];
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'FROM') stages.push([ins]);
    else if (stages.length === 0) globalIns.push(ins);
    else stages.at(-1)!.push(ins);
  }
  const stageNames = stages.map((s) => {
    const m = /\s+as\s+(\S+)\s*$/i.exec(s[0].args);
    return m?.[1].toLowerCase();
  });
  let last = stages.length - 1;
  if (o.target !== undefined) {
    last = stageNames.indexOf(o.target.toLowerCase());
    if (last < 0) throw new ToteError('E_BUILD_TARGET', `target stage "${o.target}" could not be found`, { hint: 'name a stage with FROM IMAGE AS NAME' });
  }
  const labels = Object.entries(o.labels ?? {});
  if (labels.length > 0) {
    const text = labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
    stages[last] = [...stages[last], { keyword: 'LABEL', flags: {}, args: text, line: 0, original: `LABEL ${text}`, heredocs: [] }];
  }
  const total = globalIns.length + stages.slice(0, last + 1).reduce((n, s) => n + s.length, 0);
  let stepNo = 0;
  const consumed = new Set<string>(PROXY_ARGS);

  // Global ARGs: usable in FROM lines, and as defaults for a stage's `ARG NAME`.
  const globalArgs = new Map<string, string>();
  for (const ins of globalIns) {
    out.line(`Step ${++stepNo}/${total} : ${ins.original}`);
    if (ins.keyword !== 'ARG') throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: only ARG may come before the first FROM`);
    for (const [k, v] of parseNameValues(ins.args, 'ARG', globalArgs, escape, true)) {
      consumed.add(k);
      const value = k in buildArgs ? buildArgs[k] : v;
      if (value !== undefined) globalArgs.set(k, value);
    }
  }

  let contextPromise: Promise<SourceFs> | undefined;
  const context = (): Promise<SourceFs> => {
    if (!o.contextDir) return Promise.reject(new ToteError('E_BUILD_NO_CONTEXT', 'COPY and ADD need a build context: none was given (the Dockerfile came on standard input)'));
    contextPromise ??= contextFs(o.contextDir);
    return contextPromise;
  };
  const built: Stage[] = [];
  let current: Stage | undefined;

  const layersOf = (img: ImageRecord | undefined) => (img?.layers ?? []).map((l) => layerDir(config, l));
  const visibleArgs = (stage: Stage): Record<string, string> => {
    const r: Record<string, string> = {};
    for (const [k, v] of stage.args) r[k] = v;
    for (const k of PROXY_ARGS) if (buildArgs[k] !== undefined) r[k] = buildArgs[k]!;
    return r;
  };
  const vars = (stage: Stage): Map<string, string> => {
    const m = new Map(stage.args);
    for (const [k, v] of envMap(stage.config.Env)) m.set(k, v);
    return m;
  };

  /** Runs one step's cache lookup, then `make` on a miss; moves the stage to the result. */
  const step = async (stage: Stage, ins: Instruction, make: () => Promise<{ id: string; record: ImageRecord }>, contentHash?: string): Promise<void> => {
    const key = cacheKey({ parent: stage.image?.id, instruction: ins.original, args: visibleArgs(stage), contentHash, extra: ins.heredocs.length ? ins.heredocs : undefined });
    let image = o.noCache ? undefined : await cacheLookup(config, key);
    if (image) out.line(' ---> Using cache');
    else {
      image = (await make()).record;
      await cacheStore(config, key, image.id);
    }
    stage.image = image;
    stage.config = (await readImageConfig(config, image)).config ?? {};
    out.line(` ---> ${short(image.id)}`);
  };

  const metadata = (stage: Stage, ins: Instruction, next: ImageRuntimeConfig, createdBy: string) =>
    step(stage, ins, () =>
      storeImage(config, plan, {
        parent: stage.image,
        runtimeConfig: next,
        history: { created_by: `/bin/sh -c #(nop) ${createdBy}` },
        reporter,
      }),
    );

  const runInstruction = async (stage: Stage, ins: Instruction): Promise<void> => {
    const v = vars(stage);
    const c: ImageRuntimeConfig = { ...stage.config };
    const shell = c.Shell ?? ['/bin/sh', '-c'];
    switch (ins.keyword) {
      case 'ARG': {
        for (const [k, val] of parseNameValues(ins.args, 'ARG', v, escape, true)) {
          consumed.add(k);
          const value = k in buildArgs ? buildArgs[k] : (val ?? globalArgs.get(k));
          if (value !== undefined) stage.args.set(k, value);
          else stage.args.delete(k);
        }
        return metadata(stage, ins, c, ins.original);
      }
      case 'ENV':
      {
        const pairs = parseNameValues(ins.args, 'ENV', v, escape);
        for (const [k, val] of pairs) c.Env = setEnv(c.Env, k, val ?? '');
        return metadata(stage, ins, c, `ENV ${pairs.map(([k, val]) => `${k}=${val ?? ''}`).join(' ')}`);
      }
      case 'LABEL':
        c.Labels = { ...(c.Labels ?? {}) };
      {
        const pairs = parseNameValues(ins.args, 'LABEL', v, escape);
        for (const [k, val] of pairs) c.Labels[k] = val ?? '';
        return metadata(stage, ins, c, `LABEL ${pairs.map(([k, val]) => `${k}=${val ?? ''}`).join(' ')}`);
      }
      case 'MAINTAINER':
        return metadata(stage, ins, c, ins.original);
      case 'CMD':
      case 'ENTRYPOINT': {
        const json = parseJsonArray(ins.args);
        const value = json ?? [...shell, ins.args];
        if (ins.keyword === 'CMD') c.Cmd = value;
        else {
          c.Entrypoint = value;
          // docker: a new ENTRYPOINT resets a CMD inherited from the base image.
          if (!stage.cmdSet) c.Cmd = null;
        }
        if (ins.keyword === 'CMD') stage.cmdSet = true;
        return metadata(stage, ins, c, ins.original);
      }
      case 'SHELL': {
        const json = parseJsonArray(ins.args);
        if (!json || json.length === 0) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: SHELL requires the arguments to be in JSON form`);
        c.Shell = json;
        return metadata(stage, ins, c, ins.original);
      }
      case 'WORKDIR': {
        const dir = processWord(ins.args, v, escape);
        c.WorkingDir = path.posix.resolve(c.WorkingDir || '/', dir);
        return metadata(stage, ins, c, `WORKDIR ${c.WorkingDir}`);
      }
      case 'USER':
        c.User = processWord(ins.args, v, escape);
        return metadata(stage, ins, c, `USER ${c.User}`);
      case 'STOPSIGNAL':
        c.StopSignal = processWord(ins.args, v, escape);
        return metadata(stage, ins, c, `STOPSIGNAL ${c.StopSignal}`);
      case 'EXPOSE': {
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        const ports = processWords(ins.args, v, escape);
        for (const p of ports) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: invalid containerPort: ${p}`);
          c.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        return metadata(stage, ins, c, `EXPOSE ${ports.map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`)).join(' ')}`);
      }
      case 'VOLUME': {
        c.Volumes = { ...(c.Volumes ?? {}) };
        const list = (parseJsonArray(ins.args) ?? splitRawWords(ins.args, escape)).map((x) => processWord(x, v, escape));
        for (const vol of list) {
          if (!vol) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: VOLUME specified can not be an empty string`);
          c.Volumes[vol] = {};
        }
        return metadata(stage, ins, c, `VOLUME [${list.map((x) => JSON.stringify(x)).join(' ')}]`);
      }
      case 'ONBUILD': {
        const trigger = ins.args.trim();
        const kw = trigger.split(/\s+/, 1)[0].toUpperCase();
        if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(kw)) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: ${kw} isn't allowed as an ONBUILD trigger`);
        parseInstruction(trigger, file, ins.line);
        c.OnBuild = [...(c.OnBuild ?? []), trigger];
        return metadata(stage, ins, c, ins.original);
      }
      case 'HEALTHCHECK': {
        const rest = ins.args.trim();
        if (/^none$/i.test(rest)) c.Healthcheck = { Test: ['NONE'] };
        else {
          const m = /^cmd\s+([\s\S]*)$/i.exec(rest);
          if (!m) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: HEALTHCHECK needs CMD or NONE`);
          const json = parseJsonArray(m[1]);
          const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', m[1].trim()] };
          const f = ins.flags;
          for (const k of Object.keys(f)) if (!['interval', 'timeout', 'start-period', 'start-interval', 'retries'].includes(k)) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: unknown flag: --${k}`);
          if (f.interval) hc.Interval = parseDuration(f.interval);
          if (f.timeout) hc.Timeout = parseDuration(f.timeout);
          if (f['start-period']) hc.StartPeriod = parseDuration(f['start-period']);
          if (f.retries) {
            const n = Number(f.retries);
            if (!Number.isInteger(n) || n < 1) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: --retries must be at least 1`);
            hc.Retries = n;
          }
          c.Healthcheck = hc;
        }
        return metadata(stage, ins, c, ins.original);
      }
      case 'RUN':
        return runStep(stage, ins, shell);
      case 'COPY':
      case 'ADD':
        return copyStep(stage, ins);
      case 'FROM':
        throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: unexpected FROM`);
    }
  };

  const runStep = async (stage: Stage, ins: Instruction, shell: string[]): Promise<void> => {
    for (const k of Object.keys(ins.flags)) if (k !== 'network') reporter.warn(`RUN --${k} is not supported and is ignored`);
    let cmd: string[];
    const json = ins.heredocs.length === 0 ? parseJsonArray(ins.args) : undefined;
    if (json) cmd = json;
    else if (ins.heredocs.length === 1 && /^<<-?(["']?)[A-Za-z_][A-Za-z0-9_]*\1$/.test(ins.args.trim())) cmd = [...shell, ins.heredocs[0].body];
    else cmd = [...shell, ins.args + ins.heredocs.map((h) => `\n${h.body}${h.name}`).join('')];
    const args = visibleArgs(stage);
    const env = envMap(stage.config.Env);
    const runEnv = Object.entries(args)
      .filter(([k]) => !env.has(k))
      .map(([k, val]) => `${k}=${val}`);
    const argText = Object.entries(args).map(([k, val]) => `${k}=${val}`);
    const createdBy = (argText.length ? `|${argText.length} ${argText.join(' ')} ` : '') + cmd.join(' ');
    await step(stage, ins, async () => {
      if (!stage.image) throw new BuildStepError(ins.original, 'cannot RUN in an empty (scratch) image: there is no shell');
      let record: ContainerRecord | undefined;
      let removed = false;
      const remove = async () => {
        if (!record || removed) return;
        removed = true;
        await removeContainer(config, plan, record, true, { volumes: true }).catch((e: unknown) => reporter.warn(`removing intermediate container ${short(record!.id)}: ${(e as Error).message}`));
      };
      try {
        const createOptions = { image: stage.image.id, command: cmd, entrypoint: '', env: runEnv, labels: {} };
        if (o.network) Object.assign(createOptions, { network: o.network });
        record = await createContainer(config, plan, createOptions);
        out.line(` ---> Running in ${short(record.id)}`);
        const result = await runAttached(config, plan, record, { stdout: o.output.stdout, stderr: o.output.stderr, sigProxy: true });
        const code = result.kind === 'exited' ? result.exitCode : 125;
        if (code !== 0) {
          throw new BuildStepError(ins.original, `while running runtime: exit status ${code}`, code);
        }
        const stored = await storeImage(config, plan, {
          parent: stage.image,
          runtimeConfig: stage.config,
          history: { created_by: createdBy },
          layer: await containerLayer(config, plan, record),
          reporter,
        });
        await remove();
        out.line(`Removing intermediate container ${short(record.id)}`);
        return stored;
      } finally {
        await remove();
      }
    });
  };

  const imageFs = (img: ImageRecord | undefined, label: string) => layersFs(label, layersOf(img));

  const copyStep = async (stage: Stage, ins: Instruction): Promise<void> => {
    const v = vars(stage);
    const isAdd = ins.keyword === 'ADD';
    for (const k of Object.keys(ins.flags)) {
      if (!['from', 'chown', 'chmod', 'link', 'keep-git-dir', 'checksum'].includes(k) || (!isAdd && ['keep-git-dir', 'checksum'].includes(k))) {
        throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: unknown flag: --${k}`);
      }
    }
    const words = parseJsonArray(ins.args) ?? splitRawWords(ins.args, escape);
    if (words.length < 2) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: ${ins.keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
    const processed = words.map((w) => (/^<<-?/.test(w) ? w : processWord(w, v, escape)));
    let dest = processed.pop()!;
    if (!dest.startsWith('/')) dest = path.posix.join(stage.config.WorkingDir || '/', dest) + (dest.endsWith('/') || dest === '.' ? '/' : '');
    let sfs: SourceFs;
    const from = ins.flags.from !== undefined ? processWord(ins.flags.from, v, escape) : undefined;
    if (from !== undefined) {
      if (isAdd) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: ADD does not support --from`);
      const byName = built.find((s) => s.name === from.toLowerCase()) ?? (/^\d+$/.test(from) ? built[Number(from)] : undefined);
      if (byName) sfs = imageFs(byName.image, `stage ${from}`);
      else {
        const img = findImage(await loadImages(config), from);
        if (!img) throw new NoSuchImageError(from);
        sfs = imageFs(img, `image ${from}`);
      }
    } else sfs = undefined as unknown as SourceFs;
    const inline: Array<{ name: string; data: Buffer; mode: number; mtime: Date }> = [];
    const sources: string[] = [];
    for (const s of processed) {
      const h = /^<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1$/.exec(s);
      if (h) {
        const doc = ins.heredocs.find((d) => d.name === h[2]);
        if (!doc) throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${ins.line}: heredoc ${h[2]} has no body`);
        inline.push({ name: h[2], data: Buffer.from(doc.quoted ? doc.body : processWord(doc.body.replace(/"/g, '\\"').replace(/'/g, "\\'"), v, escape)), mode: 0o644, mtime: new Date() });
      } else if (isAdd && /^https?:\/\//i.test(s)) {
        const { default: got } = await import('got');
        let res;
        try {
          res = await got(s, { responseType: 'buffer', retry: { limit: 2 } });
        } catch (e) {
          throw new BuildStepError(ins.original, `downloading ${s}: ${(e as Error).message}`);
        }
        const lm = res.headers['last-modified'];
        const name = path.posix.basename(new URL(s).pathname) || 'index.html';
        inline.push({ name, data: res.body, mode: 0o600, mtime: lm ? new Date(lm) : new Date() });
      } else sources.push(s);
    }
    if (sources.length > 0 && from === undefined) sfs = await context();
    if (sfs === undefined) sfs = imageFs(undefined, 'nothing');
    // Ownership through the image's own /etc/passwd and /etc/group.
    let uid = 0;
    let gid = 0;
    const chown = ins.flags.chown !== undefined ? processWord(ins.flags.chown, v, escape) : undefined;
    if (chown) {
      const top = layersOf(stage.image).reverse();
      const [passwd, group] = await Promise.all([readImageFile(top, '/etc/passwd'), readImageFile(top, '/etc/group')]);
      const [u, g] = chown.split(':', 2);
      const r = resolveUser(g === undefined ? `${u}:${/^\d+$/.test(u) ? u : ''}` : chown, passwd, group);
      uid = r.uid;
      gid = g === undefined && /^\d+$/.test(u) ? Number(u) : r.gid;
    }
    const target = imageFs(stage.image, 'image');
    const copyPlan = await planCopy({
      sfs,
      sources,
      dest,
      extractArchives: isAdd,
      uid,
      gid,
      chmod: parseChmod(ins.flags.chmod),
      inline,
      isImageDir: async (p) => {
        try {
          const rel = await resolveScoped(target, p.replace(/^\/+/, ''), true);
          return Boolean((await target.lstat(rel))?.isDirectory());
        } catch {
          return false;
        }
      },
      imageHas: async (p) => Boolean(await target.lstat(p.replace(/^\/+/, ''))),
    });
    const contentHash = await hashPlan(copyPlan);
    const createdBy = `/bin/sh -c #(nop) ${ins.keyword} ${contentHash.replace('sha256:', 'dir:')} in ${dest} `;
    await step(
      stage,
      ins,
      () => {
        const layer = packPlan(copyPlan);
        return storeImage(config, plan, { parent: stage.image, runtimeConfig: stage.config, history: { created_by: createdBy }, layer, reporter });
      },
      contentHash,
    );
  };

  for (let si = 0; si <= last; si++) {
    const [fromIns, ...rest] = stages[si];
    out.line(`Step ${++stepNo}/${total} : ${fromIns.original}`);
    const words = processWords(fromIns.args, globalArgs, escape);
    const platform = fromIns.flags.platform;
    if (platform) reporter.debug(`FROM --platform=${platform}: images are used as stored`);
    if (words.length !== 1 && !(words.length === 3 && words[1].toLowerCase() === 'as')) {
      throw new ToteError('E_DOCKERFILE_SYNTAX', `${file}:${fromIns.line}: FROM requires either one or three arguments`);
    }
    const baseName = words[0];
    const stage: Stage = { name: stageNames[si], index: si, config: {}, args: new Map() };
    const prior = built.find((s) => s.name === baseName.toLowerCase());
    if (prior) {
      stage.image = prior.image;
      stage.config = { ...prior.config };
    } else if (baseName.toLowerCase() !== 'scratch') {
      let img = findImage(await loadImages(config), baseName);
      if (!img || o.pull) {
        try {
          await ensureImage(config, plan, baseName, o.pull ? 'always' : 'missing', { reporter });
        } catch (e) {
          // Named against the step, as docker does: `building at STEP "FROM x": x: …`.
          throw new BuildStepError(fromIns.original, (e as Error).message.startsWith(baseName) ? (e as Error).message : `${baseName}: ${(e as Error).message}`, 125, e);
        }
        img = findImage(await loadImages(config), baseName);
      }
      if (!img) throw new NoSuchImageError(baseName);
      stage.image = img;
      stage.config = (await readImageConfig(config, img)).config ?? {};
    }
    out.line(stage.image ? ` ---> ${short(stage.image.id)}` : ' ---> scratch');
    current = stage;
    // ONBUILD triggers of the base image run right after FROM, and are not inherited.
    const triggers = stage.config.OnBuild ?? [];
    if (triggers.length > 0 && !prior) {
      out.line(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}`);
      stage.config = { ...stage.config, OnBuild: [] };
      for (const t of triggers) await runInstruction(stage, parseInstruction(t, `${file} (ONBUILD)`, fromIns.line));
    }
    for (const ins of rest) {
      out.line(`Step ${++stepNo}/${total} : ${ins.original}`);
      await runInstruction(stage, ins);
    }
    built.push(stage);
  }
  const final = current!;
  if (!final.image) throw new ToteError('E_BUILD_EMPTY', 'the build produced no image (FROM scratch with no steps)');
  const unused = Object.keys(buildArgs).filter((k) => !consumed.has(k));
  if (unused.length > 0) out.line(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
  const id = final.image.id;
  out.line(`Successfully built ${short(id)}`);
  for (const t of tags) {
    await tagImage(config, id, t);
    const { familiarName, parseReference } = await import('../image/index.js');
    out.line(`Successfully tagged ${familiarName(parseReference(t).full)}`);
  }
  if (o.iidfile) await fs.writeFile(o.iidfile, 'sha256:' + id);
  return id;
}
