/** OpenSSH's sshd for tests: the same helper `npm run bench:e2e -- --openssh` uses. */
export { OpenSshServer, opensshUnavailable } from '../../src/bench/OpenSshServer.js';
