/**
 * What every command handler gets: the global options turned into a
 * ToteConfig and a Reporter. Heavy lib modules are imported by the handlers
 * themselves, so `tote --help` or `tote ps` load only what they use.
 */
import { loadConfig, type LogLevel, type ToteConfig } from '../lib/config/index.js';
import type { Reporter } from '../lib/errors/report.js';
import type { UsernsPlan } from '../lib/userns/index.js';
import { makeReporter } from './output.js';

export interface GlobalArgs {
  root?: string;
  runroot?: string;
  runtime?: string;
  logLevel?: LogLevel;
  storageDriver?: string;
}

export interface Context {
  config: ToteConfig;
  reporter: Reporter;
  /** The namespace plan, computed on first use; its warnings are shown once. */
  plan(): Promise<UsernsPlan>;
}

export function makeContext(args: GlobalArgs): Context {
  const config = loadConfig({ root: args.root, runroot: args.runroot, runtime: args.runtime, logLevel: args.logLevel, storageDriver: args.storageDriver });
  const reporter = makeReporter(config.logLevel);
  let planned: Promise<UsernsPlan> | undefined;
  return {
    config,
    reporter,
    plan() {
      planned ??= import('../lib/userns/index.js').then(async ({ planUserns }) => {
        const plan = await planUserns(config);
        for (const w of plan.warnings) reporter.warn(w);
        return plan;
      });
      return planned;
    },
  };
}
