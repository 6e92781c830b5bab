import Database from 'better-sqlite3';

/**
 * Works around a crash of better-sqlite3 12 on Node 24 (WiseLibs/better-sqlite3#1515, closed
 * without a fix): when V8 garbage-collects a Statement, its native destructor calls
 * `node::RemoveEnvironmentCleanupHook`, which aborts the process (`Assertion failed: (env) !=
 * nullptr`) when the collection runs where node's environment is not current, e.g. in a microtask
 * checkpoint. better-sqlite3 13 needs Node 22, and this project supports Node 20.19.
 *
 * So no Statement is ever collected: the native `prepare` (used by `Database#prepare`, `pragma`
 * and transactions alike) is wrapped to keep every statement, and the database that made it,
 * referenced for the life of the process. Long-running code prepares its statements once (in
 * constructors), so what is kept stays bounded.
 */
const retained: unknown[] = [];
const patched = Symbol.for('turnkey.keepStatementsAlive');

type NativePrototype = { prepare: (...args: unknown[]) => unknown; [patched]?: true };

function nativePrototype(): NativePrototype | null {
  // The native handle sits under a private symbol of the JS wrapper: find it on a probe database.
  const probe = new Database(':memory:');
  retained.push(probe);
  for (const symbol of Object.getOwnPropertySymbols(probe)) {
    const value = (probe as unknown as Record<symbol, unknown>)[symbol];
    if (value && typeof (value as { prepare?: unknown }).prepare === 'function') return Object.getPrototypeOf(value) as NativePrototype;
  }
  return null;
}

const prototype = nativePrototype();
if (prototype && !prototype[patched]) {
  const prepare = prototype.prepare;
  prototype.prepare = function prepareAndKeep(this: unknown, ...args: unknown[]): unknown {
    const statement = prepare.apply(this, args);
    retained.push(statement);
    return statement;
  };
  prototype[patched] = true;
}

export {};
