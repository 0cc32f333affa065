export { chooseRuntime, runtimeVersion, isCrun, SUPPORTED_RUNTIMES, type RuntimeInfo } from './detect.js';
export { generateSpec, DEFAULT_CAPABILITIES, type SpecOptions, type OciMount } from './spec.js';
export { lastRuntimeError, classifyRuntimeError } from './failure.js';
