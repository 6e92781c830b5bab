import type { FromSchema } from 'json-schema-to-ts';

/**
 * The JSON Schema of the simulator's sim.config.json: the one source of its keys and defaults, and of its
 * type. config/sim.config.schema.json, what editors read, is written from it (`npm run schemas`).
 */
export const SIM_CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://turnkey.invalid/config/sim.config.schema.json',
  title: 'turnkey platform simulator configuration (turnkey sim --config FILE)',
  description:
    'The local simulator of the MOF e-invoice platform (SFTP server + HTTP gateway) on 127.0.0.1. Relative paths are relative to the ' +
    'folder holding this file. Unknown keys are errors. Defaults below are applied when a key is absent.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: {
      type: 'string',
      description: 'Where editors find this schema, for completion. Ignored.',
    },
    dataDir: {
      type: 'string',
      minLength: 1,
      default: 'sim-data',
      description:
        "The simulator's own folder: its SSH host key (made on the first run), sftp/<transportId>/in and out, received/ (every accepted " +
        'file, byte for byte), and sim.sqlite (every decision). Relative to this file.',
    },
    adminTokenFile: {
      type: ['string', 'null'],
      default: null,
      description:
        "The owner-only file holding the token the /_sim/ admin endpoints require ('Authorization: Bearer <token>'); made on the " +
        'first start. null: <dataDir>/admin.token. Relative to this file.',
    },
    sftp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The SFTP server.',
      properties: {
        port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: 0,
          description: 'Port on 127.0.0.1; 0 picks a free one (printed at start).',
        },
        algorithms: {
          type: 'object',
          additionalProperties: false,
          description: "SSH algorithm lists offered (ssh2 names), e.g. to imitate an older platform host. Absent: ssh2's defaults.",
          properties: {
            kex: {
              type: 'array',
              items: {
                type: 'string',
                minLength: 1,
              },
              minItems: 1,
            },
            cipher: {
              type: 'array',
              items: {
                type: 'string',
                minLength: 1,
              },
              minItems: 1,
            },
            serverHostKey: {
              type: 'array',
              items: {
                type: 'string',
                minLength: 1,
              },
              minItems: 1,
            },
            hmac: {
              type: 'array',
              items: {
                type: 'string',
                minLength: 1,
              },
              minItems: 1,
            },
            compress: {
              type: 'array',
              items: {
                type: 'string',
                minLength: 1,
              },
              minItems: 1,
            },
          },
        },
      },
    },
    gateway: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The HTTP gateway.',
      properties: {
        port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: 0,
          description: 'Port on 127.0.0.1; 0 picks a free one (printed at start).',
        },
        basePath: {
          type: 'string',
          pattern: '^(/[A-Za-z0-9._~-]+)*$',
          default: '/gateway/api',
          description: 'The gateway base path: notifications go to <basePath>/pfs001i/uploadInvoiceMessage.',
        },
        actions: {
          type: 'object',
          propertyNames: {
            pattern: '^[A-Z][0-9]{4}$',
          },
          additionalProperties: {
            type: 'string',
            minLength: 1,
          },
          default: {
            F0401: 'C0401',
          },
          description:
            'The action a notification must carry per message type (the mapping is undocumented; F0401 → C0401 was observed). Types not ' +
            'listed take any action.',
        },
      },
    },
    accounts: {
      type: 'array',
      default: [],
      description: 'The transport accounts: SFTP logins and gateway logins.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['transportId', 'partyId', 'routingId', 'certificates'],
        properties: {
          transportId: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
            description: 'The transport id: SFTP user name and gateway loginId.',
          },
          password: {
            type: 'string',
            minLength: 1,
            description: 'The transport password (or give passwordEnv).',
          },
          passwordEnv: {
            type: 'string',
            pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
            description: 'The name of an environment variable holding the password, to keep it out of this file.',
          },
          partyId: {
            type: 'string',
            minLength: 1,
            description: "The merchant's BAN: the envelope's From/PartyId and the notification's transFrom.",
          },
          routingId: {
            type: 'string',
            minLength: 1,
            description: "The merchant's routing id: the envelope's FromVAC/RoutingId.",
          },
          certificates: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'string',
              minLength: 1,
            },
            description:
              'The registered certificates (.cer, PEM or DER files); a pack signed by any other fails with E0004. Relative to this file.',
          },
        },
        description:
          'One transport account. Give the password as password, or as passwordEnv (the name of an environment variable holding it), not ' +
          'both.',
      },
    },
    processingDelayMs: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'How long after a notification is accepted the pack is processed.',
    },
    latencyMs: {
      type: 'integer',
      minimum: 0,
      maximum: 10_000,
      default: 0,
      description:
        'A link of this much round trip: every SFTP request, the SFTP login and every gateway request is answered this much later ' +
        '(requests in flight together wait together, as on a real link). 0: loopback speed.',
    },
    processingWorkers: {
      type: ['integer', 'null'],
      minimum: 0,
      maximum: 16,
      default: null,
      description: 'Worker threads opening and validating packs; 0: in the main thread; null: one per core, 1 to 4.',
    },
    validation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        "How the platform checks messages: the project's validator, plus deliberate differences so tests can make the platform refuse " +
        'what the daemon accepted.',
      properties: {
        b2cTaxIncluded: {
          enum: ['accept', 'warn', 'reject'],
          default: 'warn',
          description: 'B2C invoices with tax-included amounts and TaxAmount 0: reject refuses them (E9101, finding b2c-tax-included).',
        },
        clockSkewSeconds: {
          type: 'integer',
          minimum: 0,
          default: 300,
          description: 'How far in the future a date may be.',
        },
        rejectInvoiceNumbers: {
          type: 'array',
          items: {
            type: 'string',
            minLength: 1,
          },
          uniqueItems: true,
          default: [],
          description:
            'Message numbers refused whatever they hold (E9102, rule reject-invoice-number): AB12345678 refuses every message with that ' +
            'number, F0501:AB12345678 only the message of that type.',
        },
        requireSellerIsSender: {
          type: 'boolean',
          default: false,
          description: "Refuse F/G messages whose seller is not the sending account's partyId (E9102, rule seller-not-sender).",
        },
        requireAllocatedNumbers: {
          type: 'boolean',
          default: false,
          description: "Refuse F0401 numbers outside the seller's allocation for the invoice's period (E9102, rule number-not-allocated).",
        },
      },
    },
    maintenance: {
      type: 'array',
      default: [],
      description:
        'Announced maintenance windows: the gateway answers 503 and SFTP refuses logins during each; served at GET /announcements and ' +
        '/announcements.ics.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end'],
        properties: {
          start: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$',
            description: 'ISO time with its offset, e.g. 2025-12-19T18:00:00+08:00.',
          },
          end: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$',
            description: 'ISO time with its offset; after start.',
          },
          description: {
            type: 'string',
            description: "The announcement's text.",
          },
        },
      },
    },
    faults: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Injected faults, for tests: each fires at its rate, deterministically under the seed (the same seed and the same traffic give ' +
        'the same faults). Changeable at run time (PUT /_sim/faults).',
      properties: {
        seed: {
          type: ['integer', 'string'],
          default: 1,
          description: 'Seeds one random stream per fault.',
        },
        rates: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Probability (0..1) that each opportunity fires the fault. Absent: 0.',
          properties: {
            sftpConnectRefused: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'a new SFTP connection is dropped before the SSH handshake',
            },
            sftpUploadCut: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'an upload into in/ is cut mid-file (the connection drops after the first write; nothing is published)',
            },
            gateway500: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the notification is answered HTTP 500; nothing is queued',
            },
            gateway502: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the notification is answered HTTP 502; nothing is queued',
            },
            gateway503: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the notification is answered HTTP 503 (no maintenance notice); nothing is queued',
            },
            gatewayReset: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: "the notification's connection is reset with no answer; nothing is queued",
            },
            gatewayTimeoutAfterAccept: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the pack is accepted and processed, but the answer comes after timeoutAfterAcceptMs (never when null)',
            },
            gatewaySlowResponse: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the (normal) answer is held for slowResponseMs',
            },
            resultDelayed: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the result files are written resultDelayMs later',
            },
            resultNeverWritten: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'the pack is processed and recorded, but its result files are never written',
            },
            resultWrittenTwice: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'each result file is written again, byte for byte, resultRewriteDelayMs later',
            },
          },
        },
        maxFires: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Fire a fault at most this many times (e.g. 1: only the first time). Absent: no limit.',
          properties: {
            sftpConnectRefused: {
              type: 'integer',
              minimum: 0,
            },
            sftpUploadCut: {
              type: 'integer',
              minimum: 0,
            },
            gateway500: {
              type: 'integer',
              minimum: 0,
            },
            gateway502: {
              type: 'integer',
              minimum: 0,
            },
            gateway503: {
              type: 'integer',
              minimum: 0,
            },
            gatewayReset: {
              type: 'integer',
              minimum: 0,
            },
            gatewayTimeoutAfterAccept: {
              type: 'integer',
              minimum: 0,
            },
            gatewaySlowResponse: {
              type: 'integer',
              minimum: 0,
            },
            resultDelayed: {
              type: 'integer',
              minimum: 0,
            },
            resultNeverWritten: {
              type: 'integer',
              minimum: 0,
            },
            resultWrittenTwice: {
              type: 'integer',
              minimum: 0,
            },
          },
        },
        slowResponseMs: {
          type: 'integer',
          minimum: 0,
          default: 2000,
          description: 'How long gatewaySlowResponse holds the answer.',
        },
        timeoutAfterAcceptMs: {
          type: ['integer', 'null'],
          minimum: 0,
          default: null,
          description: 'When gatewayTimeoutAfterAccept answers; null: never (the connection is held until the client drops it).',
        },
        resultDelayMs: {
          type: 'integer',
          minimum: 0,
          default: 5000,
          description: 'How much later resultDelayed writes the results.',
        },
        resultRewriteDelayMs: {
          type: 'integer',
          minimum: 0,
          default: 500,
          description: 'How long after the first copy resultWrittenTwice writes the second.',
        },
      },
    },
    allocations: {
      type: 'array',
      default: [],
      description: 'Track allocations per merchant and period: the content of E0501 downloads (and of requireAllocatedNumbers).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['partyId', 'period', 'track', 'begin', 'end'],
        properties: {
          partyId: {
            type: 'string',
            pattern: '^[0-9]{8}$',
            description: "The merchant's BAN.",
          },
          period: {
            type: 'string',
            pattern: '^[0-9]{3}(02|04|06|08|10|12)$',
            description: 'ROC year + even end month, e.g. 11512 (Nov-Dec 2026).',
          },
          track: {
            type: 'string',
            pattern: '^[A-Z]{2}$',
            description: 'The two letters, e.g. AB.',
          },
          begin: {
            type: 'string',
            pattern: '^[0-9]{8}$',
            description: 'First number (eight digits, a multiple of 50).',
          },
          end: {
            type: 'string',
            pattern: '^[0-9]{8}$',
            description: 'Last number (eight digits); whole booklets of 50.',
          },
          booklets: {
            type: 'integer',
            minimum: 1,
            description: 'Booklets of 50; absent: computed from the range.',
          },
          invoiceType: {
            enum: ['07', '08'],
            default: '07',
            description: '07 general, 08 special.',
          },
          availableAt: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$',
            description: 'When the scheduled E0501 may deliver it; absent: at once.',
          },
        },
      },
    },
    e0501: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'E0501 downloads: on request (POST /_sim/e0501) always; on a schedule when set.',
      properties: {
        scheduleIntervalMs: {
          type: ['integer', 'null'],
          minimum: 100,
          default: null,
          description:
            "Every this many ms, deliver each merchant's available allocations of each period once (into out/ as <common name>-E0501). " +
            'null: on request only.',
        },
      },
    },
  },
} as const;

/** The file's content once checked, every default applied. */
export type SimConfigFile = FromSchema<typeof SIM_CONFIG_SCHEMA>;
