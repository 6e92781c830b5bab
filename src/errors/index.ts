export { TurnkeyError, ConfigError, UsageError } from './TurnkeyError.js';
