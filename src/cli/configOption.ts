/** The option every command that reads the daemon's configuration takes. */
export const CONFIG_OPTION = [
  '-c, --config <file>',
  'the configuration file (default: $TURNKEY_CONFIG, else ./turnkey-data/turnkey.config.json)',
] as const;
