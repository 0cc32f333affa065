export { planUserns, subIdHint, type UsernsPlan } from './plan.js';
export { buildMapping, formatMapping, parseSubIdFile, toHostId, CONTAINER_ID_SPAN, type IdMapping, type IdRange } from './subid.js';
export { spawnInUserns, helperArgs, helperPath, waitExit, type HelperMount, type HelperOptions } from './spawn.js';
