/** SQL pieces of the Turnkey-compatible views, shared by the migrations that (re)create them. */

/** `yyyyMMddHHmmssSSS` in Taiwan time (UTC+8, no DST) from epoch milliseconds: Turnkey's timestamp form. */
export const turnkeyDts = (ms: string): string =>
  `(strftime('%Y%m%d%H%M%S', ${ms} / 1000, 'unixepoch', '+8 hours') || printf('%03d', ${ms} % 1000))`;

export const statusLetter = (state: string): string =>
  `CASE ${state} WHEN 'received' THEN 'P' WHEN 'queued' THEN 'P' WHEN 'packed' THEN 'P' ` +
  `WHEN 'uploaded' THEN 'G' WHEN 'unknown' THEN 'G' WHEN 'confirmed' THEN 'C' ` +
  `WHEN 'rejected' THEN 'E' WHEN 'invalid' THEN 'E' WHEN 'failed' THEN 'E' END`;
