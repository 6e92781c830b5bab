import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../../errors/TurnkeyError.js';
import { secretEquals } from './secretEquals.js';

/** A transport account as the simulator is given it. */
export interface SimAccountOptions {
  /** The transport id: the SFTP user name and the gateway's loginId. */
  transportId: string;
  password: string;
  /** The merchant's BAN (the envelope's From/PartyId). */
  partyId: string;
  /** The merchant's routing id (the envelope's FromVAC/RoutingId). */
  routingId: string;
  /** The registered `.cer`s: PEM text or DER bytes. A pack signed by any other certificate fails with E0004. */
  certificates: ReadonlyArray<string | Uint8Array>;
}

/** An account, its certificates read once (DER). The password never leaves this object. */
export class SimAccount {
  readonly transportId: string;
  readonly partyId: string;
  readonly routingId: string;
  readonly certificateDers: readonly Buffer[];
  readonly #password: string;

  constructor(options: SimAccountOptions) {
    this.transportId = options.transportId;
    this.partyId = options.partyId;
    this.routingId = options.routingId;
    this.#password = options.password;
    this.certificateDers = options.certificates.map((certificate, index) => {
      try {
        return Buffer.from(new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate)).raw);
      } catch (cause) {
        throw new ConfigError(
          `accounts "${options.transportId}": certificate ${index + 1} is not a readable X.509 certificate (PEM or DER)`,
          { cause },
        );
      }
    });
  }

  passwordMatches(given: string): boolean {
    return secretEquals(given, this.#password);
  }

  /** Never print the password, not even by accident (`console.log(account)`, JSON). */
  toJSON(): Record<string, unknown> {
    return { transportId: this.transportId, partyId: this.partyId, routingId: this.routingId, certificates: this.certificateDers.length };
  }
}

/** The transport accounts the platform knows. */
export class AccountRegistry {
  private readonly byId = new Map<string, SimAccount>();

  constructor(accounts: ReadonlyArray<SimAccountOptions>) {
    for (const options of accounts) {
      if (this.byId.has(options.transportId)) throw new ConfigError(`accounts: transportId "${options.transportId}" is listed twice`);
      this.byId.set(options.transportId, new SimAccount(options));
    }
  }

  /**
   * The account whose id and password both match, or null. An unknown id still costs one
   * password comparison, so timing does not tell which ids exist.
   */
  authenticate(transportId: string, password: string): SimAccount | null {
    const account = this.byId.get(transportId);
    if (!account) {
      secretEquals(password, 'no such account');
      return null;
    }
    return account.passwordMatches(password) ? account : null;
  }

  get(transportId: string): SimAccount | undefined {
    return this.byId.get(transportId);
  }

  all(): SimAccount[] {
    return [...this.byId.values()];
  }

  withPartyId(partyId: string): SimAccount[] {
    return this.all().filter((a) => a.partyId === partyId);
  }
}
