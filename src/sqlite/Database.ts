// better-sqlite3, patched before any database is opened (see keepStatementsAlive): every module
// that opens a database imports it from here, so none can forget the patch.
import './keepStatementsAlive.js';

export { default } from 'better-sqlite3';
