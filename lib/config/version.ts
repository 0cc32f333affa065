/** tote's version, kept in step with package.json. */
export const TOTE_VERSION = '0.1.0';
