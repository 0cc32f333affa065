export {
  parsePortSpec,
  exposedPortRequests,
  resolvePorts,
  checkPortsFree,
  probePort,
  randomFreePort,
  unprivilegedPortStart,
  formatPortList,
  formatHostAddr,
  dockerPortMap,
  portLines,
  PortInUseError,
  type PortMapping,
  type PortRequest,
  type PortProto,
} from './ports.js';
export {
  parseNetworkMode,
  findNetworkProgram,
  defaultBackend,
  requireBackend,
  networkModeText,
  NoNetworkHelperError,
  type NetworkBackend,
  type NetworkMode,
  type NetworkSpec,
  type ParsedNetworkMode,
} from './mode.js';
export {
  SLIRP,
  PASTA_DNS_FORWARD,
  defaultRoute,
  containerAddresses,
  helperFiles,
  pastaArgs,
  slirpArgs,
  hookCommand,
  helperFailure,
  stopLeftoverHelper,
  shellQuote,
} from './helper.js';
export { hostsFile, resolvConf, parseAddHost, type HostsInput, type ResolvInput } from './etc.js';
export { builtinNetworks, type NetworkInfo } from './builtin.js';
