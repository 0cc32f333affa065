export { parseChallenges, type Challenge } from './challenge.js';
export {
  loadRegistriesConf,
  parseRegistriesConf,
  resolveEndpoints,
  findRegistry,
  hostIsInsecure,
  isLocalhost,
  splitRepository,
  type RegistriesConf,
  type RegistryEntry,
  type MirrorEntry,
  type Endpoint,
} from './conf.js';
export {
  findCredentials,
  storeCredentials,
  removeCredentials,
  storedLogin,
  parseCredsFlag,
  normalizeAuthKey,
  authKeys,
  decodeAuth,
  type Credentials,
} from './credentials.js';
export { tlsFor, type TlsMaterial } from './tls.js';
export { RegistryClient, RegistryError, registryMessage, apiHost, isTransient, retryAfterMs, type ClientOptions, type RequestOptions, type Response } from './client.js';
export { verifyLogin } from './login.js';
export { giveBackRead } from './read-blocks.js';
