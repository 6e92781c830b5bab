/** Exit codes shared by every command. */
export const EXIT = {
  /** Everything asked for was done and every input was fine. */
  ok: 0,
  /** Done, but some input was found wrong (e.g. an invalid message). */
  findings: 1,
  /** Usage, configuration or I/O error: nothing useful was done. */
  usage: 2,
} as const;
