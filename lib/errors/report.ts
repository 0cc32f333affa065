/**
 * lib/ never prints: progress and warnings go through a Reporter the CLI
 * passes in. The default is silent, so lib functions are quiet in tests.
 */
export interface Reporter {
  /** Something the user should see (progress lines, results). */
  info(message: string): void;
  /** Something that worked but may not be what the user wanted. */
  warn(message: string): void;
  /** Detail shown with --log-level=debug. */
  debug(message: string): void;
}

export const silentReporter: Reporter = {
  info() {},
  warn() {},
  debug() {},
};
