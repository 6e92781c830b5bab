import { readFileSync } from 'node:fs';
import { readSecret } from '../config/readSecret.js';
import type { SenderSettings } from '../config/types.js';
import { ConfigError } from '../errors/index.js';
import { loadPfx, PfxError, type LoadedPfx } from '../protocol/cms/index.js';

/** A sender's signing identity from its .pfx and password (read from where the configuration says). */
export function loadSigner(sender: SenderSettings, where: string): LoadedPfx {
  let bytes: Buffer;
  try {
    bytes = readFileSync(sender.certificate.pfx);
  } catch (cause) {
    throw new ConfigError(`${where}.certificate.pfx: cannot read ${sender.certificate.pfx}`, {
      cause,
      hint: "Point it at the merchant's .pfx (or run turnkey init for a sandbox one).",
    });
  }
  const password = readSecret(sender.certificate.password, `${where}.certificate.password`);
  try {
    return loadPfx(bytes, password);
  } catch (err) {
    if (!(err instanceof PfxError)) throw err;
    // Named by key and file, so that the operator knows which of several senders' certificates it is.
    const key = err.code === 'pfx-password' ? `${where}.certificate.password` : `${where}.certificate.pfx`;
    throw new ConfigError(`${key}: ${sender.certificate.pfx}: ${err.message}`, {
      cause: err,
      hint:
        err.code === 'pfx-password'
          ? 'Give the password of this .pfx (case-sensitive) where the key says.'
          : "Point it at the merchant's .pfx: a PKCS#12 file holding the private key and its certificate.",
    });
  }
}
