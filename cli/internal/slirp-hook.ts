/**
 * Internal entry point, run by helpers/tote-userns as its --hook when a
 * container uses slirp4netns:
 *
 *   node slirp-hook.js PID REQUEST-JSON
 *
 * Exits 0 once slirp4netns serves PID's network namespace and every port is
 * published; otherwise prints the reason on stderr (the helper's log) and
 * exits 1, which stops the container before it starts.
 */
import { startSlirp, type SlirpRequest } from '../../lib/network/slirp.js';

const [pid, request] = process.argv.slice(2);
if (!pid || !request) {
  process.stderr.write('usage: slirp-hook.js PID REQUEST-JSON\n');
  process.exit(2);
}
startSlirp(pid, JSON.parse(request) as SlirpRequest).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
