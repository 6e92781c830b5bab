import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Works around a crash of better-sqlite3 12 on Node 24 (WiseLibs/better-sqlite3#1515, closed
 * without a fix): when V8 garbage-collects a Statement or a Database, its native destructor calls
 * `node::RemoveEnvironmentCleanupHook`, which aborts the process (`Assertion failed: (env) !=
 * nullptr`) when the collection runs where node's environment is not current, e.g. in a microtask
 * checkpoint. better-sqlite3 13 needs Node 22, and this project supports Node 20.19.
 *
 * So no native Database or Statement is ever collected: the addon's constructor and its `prepare`
 * (used by `Database#prepare`, `pragma` and transactions alike) are wrapped to keep what they make
 * referenced for the life of the process. Long-running code opens one database and prepares its
 * statements once (in constructors), so what is kept stays bounded.
 */
const retained: unknown[] = [];
const patched = Symbol.for('turnkey.keepStatementsAlive');

type NativeDatabase = { prototype: { prepare: (...args: unknown[]) => unknown } } & (new (...args: unknown[]) => object);
type Addon = { Database: NativeDatabase; [patched]?: true };

const require = createRequire(import.meta.url);
// The same file better-sqlite3 loads (through `bindings`): modules are cached by file name.
const addon = require(join(require.resolve('better-sqlite3'), '../../build/Release/better_sqlite3.node')) as Addon;

if (!addon[patched]) {
  const Native = addon.Database;
  const prepare = Native.prototype.prepare;
  Native.prototype.prepare = function prepareAndKeep(this: unknown, ...args: unknown[]): unknown {
    const statement = prepare.apply(this, args);
    retained.push(statement);
    return statement;
  };
  function KeptDatabase(...args: unknown[]): object {
    const database = new Native(...args);
    retained.push(database);
    return database;
  }
  KeptDatabase.prototype = Native.prototype;
  addon.Database = KeptDatabase as unknown as NativeDatabase;
  addon[patched] = true;
}

export {};
