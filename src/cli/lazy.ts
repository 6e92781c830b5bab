/**
 * A command's action, loaded only when that command runs: `turnkey --version`, `--help` and every
 * other command load none of its modules (the validator's WebAssembly, the store, ssh2 …).
 */
export function lazy<A extends unknown[]>(load: () => Promise<(...args: A) => unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const action = await load();
    await action(...args);
  };
}
