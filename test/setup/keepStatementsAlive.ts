// Tests open databases directly too: keep their statements alive as the program does (Node 24).
import '../../src/sqlite/keepStatementsAlive.js';
