import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the simulator keeps things, all under its own data folder:
 * - `ssh_host_ed25519_key` (+ `.pub`): its SSH host key, made on the first run;
 * - `sim.sqlite`: every received file, notification, pack and per-message decision;
 * - `sftp/<transportId>/in/`, `out/`: what each account sees over SFTP;
 * - `sftp/<transportId>/.uploading/`, `.writing/`: files being received or written, invisible to
 *   clients until complete (then renamed into `in/` or `out/`);
 * - `received/<transportId>/<name>`: every accepted file, byte for byte, named as uploaded.
 */
export class SimLayout {
  constructor(readonly dataDir: string) {}

  get hostKeyFile(): string {
    return join(this.dataDir, 'ssh_host_ed25519_key');
  }

  get databaseFile(): string {
    return join(this.dataDir, 'sim.sqlite');
  }

  accountRoot(transportId: string): string {
    return join(this.dataDir, 'sftp', transportId);
  }

  inDir(transportId: string): string {
    return join(this.accountRoot(transportId), 'in');
  }

  outDir(transportId: string): string {
    return join(this.accountRoot(transportId), 'out');
  }

  uploadingDir(transportId: string): string {
    return join(this.accountRoot(transportId), '.uploading');
  }

  writingDir(transportId: string): string {
    return join(this.accountRoot(transportId), '.writing');
  }

  receivedDir(transportId: string): string {
    return join(this.dataDir, 'received', transportId);
  }

  /** Makes every folder; drops half-received uploads and half-written results left by a crash. */
  prepare(transportIds: readonly string[]): void {
    mkdirSync(this.dataDir, { recursive: true });
    for (const id of transportIds) {
      for (const dir of [this.inDir(id), this.outDir(id), this.receivedDir(id)]) mkdirSync(dir, { recursive: true });
      for (const dir of [this.uploadingDir(id), this.writingDir(id)]) {
        mkdirSync(dir, { recursive: true });
        for (const leftover of readdirSync(dir)) rmSync(join(dir, leftover), { force: true, recursive: true });
      }
    }
  }
}
