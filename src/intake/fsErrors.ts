/**
 * File-system errors that mean "not now" rather than "never": a file another program holds open
 * (Windows sharing violations surface as EBUSY/EPERM/EACCES), too many open files, a network share
 * that hiccuped. Intake retries these later instead of treating the file as bad.
 */
const TRANSIENT = new Set(['EBUSY', 'EPERM', 'EACCES', 'EAGAIN', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);

export function isTransientFsError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}
