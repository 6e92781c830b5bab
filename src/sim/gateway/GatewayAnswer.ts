/** One entry of the gateway's `statusDetail`. */
export interface StatusDetail {
  code: string;
  description: string | null;
  parameter: string[];
}

/** The gateway's JSON answer (PLATFORM-PROTOCOL.md, PFS001). */
export interface GatewayAnswerBody {
  statusCode: number;
  statusDetail: StatusDetail[];
}

/**
 * Why a notification was refused (`statusDetail[0].code`) and the `statusCode` that goes with it.
 * The platform's own values are not published; these are the simulator's, stable, HTTP-like.
 * Every refusal means the pack was not queued.
 */
export const REFUSALS = {
  /** HTTP 401: the Basic credentials are missing or wrong. */
  'auth-failed': 401,
  /** The body's loginId/loginPassword are not the Basic credentials. */
  'login-mismatch': 401,
  /** The body is not a JSON object of the documented keys (a key missing or unknown). */
  'body-invalid': 400,
  /** A field has the wrong type or value (parameter: the key). */
  'field-invalid': 400,
  /** `filename` is not a common name. */
  'filename-invalid': 400,
  /** `transFrom` is not the account's party and routing id. */
  'routing-mismatch': 403,
  /** No such file in the account's `in/`. */
  'file-not-found': 404,
  /** The file was accepted before and this is not a retry (`retry` 0). */
  'duplicate-notification': 409,
  /** The file was accepted before, and the one in `in/` now has other bytes. */
  'file-conflict': 409,
  /** `zip` does not describe the file, or the zip entry is not the signed file of this common name. */
  'zip-mismatch': 422,
  /** `size` is not the length of the armored file. */
  'size-mismatch': 422,
  /** `quantity` is not the envelope's message count. */
  'quantity-mismatch': 422,
} as const;

export type RefusalCode = keyof typeof REFUSALS;

export class GatewayRefusal {
  readonly statusCode: number;

  constructor(
    readonly code: RefusalCode,
    readonly description: string,
    readonly parameter: string[] = [],
    /** The HTTP status; refusals are answered 200 with a non-zero statusCode, except bad Basic auth. */
    readonly httpStatus: number = code === 'auth-failed' ? 401 : 200,
  ) {
    this.statusCode = REFUSALS[code];
  }

  body(): GatewayAnswerBody {
    return { statusCode: this.statusCode, statusDetail: [{ code: this.code, description: this.description, parameter: this.parameter }] };
  }
}

/** `accepted`: queued now; `already-accepted`: a retry of a file queued before (nothing done twice). */
export function acceptedBody(code: 'accepted' | 'already-accepted', filename: string): GatewayAnswerBody {
  return {
    statusCode: 0,
    statusDetail: [
      {
        code,
        description: code === 'accepted' ? 'accepted for processing' : 'already accepted; not processed again',
        parameter: [filename],
      },
    ],
  };
}
