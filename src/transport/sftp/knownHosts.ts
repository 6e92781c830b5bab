/**
 * known_hosts entries, as OpenSSH writes them: `host keytype base64` or, for a port other than
 * 22, `[host]:port keytype base64`. Only plain (unhashed) host names are supported; the entry is
 * written by `turnkey init` or copied from the platform's documentation by the operator.
 */
export interface KnownHostKey {
  hostPattern: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostKey[] {
  const entries: KnownHostKey[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [hosts, keyType, base64] = line.split(/\s+/);
    if (!hosts || !keyType || !base64) continue;
    for (const hostPattern of hosts.split(',')) entries.push({ hostPattern, keyType, key: Buffer.from(base64, 'base64') });
  }
  return entries;
}

export function hostPatternFor(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether the key the server presented is one the entries list for this host and port. */
export function isKnownHostKey(entries: KnownHostKey[], host: string, port: number, presented: Buffer): boolean {
  const pattern = hostPatternFor(host, port);
  return entries.some((e) => e.hostPattern === pattern && e.key.equals(presented));
}
