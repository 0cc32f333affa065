export { buildImage, parseDuration, PROXY_ARGS, BuildStepError, type BuildOptions, type BuildOutput } from './build.js';
export { parseDockerfile, DockerfileSyntaxError, type Instruction, type ParsedDockerfile } from './parse.js';
export { processWord, processWords, parseNameValues } from './words.js';
export { cacheKey } from './cache.js';
export { extractContextTar, isTarHeader, readAll, prepareBuildInput, type BuildInput } from './context-tar.js';
