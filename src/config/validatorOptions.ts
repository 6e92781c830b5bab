/** How the configuration files are checked (the same at run time and when compiled ahead of time). */
export const VALIDATOR_OPTIONS = { allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true } as const;
