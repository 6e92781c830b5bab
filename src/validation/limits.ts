/** The largest message file read, by default (the platform's own limit for a message is far lower). */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
