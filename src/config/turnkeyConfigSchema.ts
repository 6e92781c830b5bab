import type { FromSchema } from 'json-schema-to-ts';

/**
 * The JSON Schema of turnkey.config.json: the one source of its keys, their ranges and defaults, and (through
 * json-schema-to-ts) of the configuration's types. config/turnkey.config.schema.json, what editors read, is
 * written from it (`npm run schemas`; a test fails when the two differ).
 */
export const TURNKEY_CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://turnkey.invalid/config/turnkey.config.schema.json',
  title: 'turnkey configuration (turnkey.config.json)',
  description:
    'The one configuration file of the turnkey daemon. Relative paths are relative to the folder holding this file. Unknown keys are ' +
    'errors. Defaults below are applied when a key is absent.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: {
      type: 'string',
      description: 'Where editors find this schema, for completion. Ignored by turnkey.',
    },
    dataRoot: {
      type: 'string',
      minLength: 1,
      default: '.',
      description: 'The data root: holds UpCast/<CATEGORY>/<MIG>/{SRC,WORK,BAK,ERR}/ and, by default, the database. Relative to this file.',
    },
    database: {
      type: ['string', 'null'],
      minLength: 1,
      default: null,
      description:
        "The SQLite database file. null: <dataRoot>/turnkey.db. Relative to this file. Keep it on a local disk (SQLite's WAL mode does " +
        'not work on network shares).',
    },
    logLevel: {
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      description: 'Lowest level of the JSON log lines written to standard output.',
    },
    group: {
      type: ['string', 'null'],
      minLength: 1,
      default: null,
      description:
        'A group (name or numeric id) whose members may use the folders an ERP needs: write into UpCast/<CATEGORY>/<MIG>/SRC/, read ' +
        "BAK/, ERR/ (the reports) and DownCast/. null: everything under the data root is the daemon's user's alone (folders 0700, files " +
        '0600). The database, WORK/, outbox/, inbox/ and the secrets stay owner-only either way. The user running turnkey must be a ' +
        'member of the group. Ignored on Windows (use NTFS permissions).',
    },
    validation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How messages are checked before they are accepted (the options of `turnkey validate`).',
      properties: {
        schemasDir: {
          type: ['string', 'null'],
          minLength: 1,
          default: null,
          description:
            "A folder of XSDs to use instead of the bundled MIG 4.1 schemas (e.g. Turnkey 3.2's xsd/v41/). null: the bundled schemas. " +
            'Relative to this file.',
        },
        maxBytes: {
          type: 'integer',
          minimum: 1024,
          maximum: 1073741824,
          default: 20971520,
          description: 'Files larger than this are refused unread (error code too-large). Default 20 MiB.',
        },
        clockSkewSeconds: {
          type: 'integer',
          minimum: 0,
          maximum: 86400,
          default: 300,
          description: 'How far in the future a message date may lie before it is an error (date-future).',
        },
        lang: {
          enum: ['en', 'zh-TW'],
          default: 'en',
          description: 'Language of the error messages in the ERR reports.',
        },
        b2cTaxIncluded: {
          enum: ['accept', 'warn', 'reject'],
          default: 'warn',
          description:
            'B2C invoices written with a tax-included SalesAmount and TaxAmount 0: accept silently, accept with a warning, or reject.',
        },
      },
    },
    intake: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How files dropped by the ERP into UpCast/<CATEGORY>/<MIG>/SRC/ are taken in.',
      properties: {
        messageTypes: {
          type: 'array',
          items: {
            enum: ['F0401', 'F0501', 'F0701', 'G0401', 'G0501', 'E0401', 'E0402'],
          },
          uniqueItems: true,
          minItems: 1,
          default: ['F0401', 'F0501', 'F0701', 'G0401', 'G0501', 'E0401', 'E0402'],
          description: 'The message types whose SRC folders are watched.',
        },
        stabilitySeconds: {
          type: 'number',
          minimum: 0,
          maximum: 3600,
          default: 1,
          description:
            'A file is taken only once its size and modification time have stayed the same for this long, counted from its modification ' +
            'time (protects files the ERP writes in place; a file moved into SRC whole is taken at once). Files named *.tmp or *.part ' +
            'are never taken. On a network share whose clock runs behind, raise it by that much.',
        },
        rescanIntervalSeconds: {
          type: 'number',
          minimum: 0.1,
          maximum: 86400,
          default: 60,
          description: 'How often every SRC folder is listed in full (the source of truth; file-system events only make intake faster).',
        },
        batchSize: {
          type: 'integer',
          minimum: 1,
          maximum: 5000,
          default: 500,
          description:
            'Most files recorded in one database transaction (group commit) and moved with one fsync per folder. Larger batches take no ' +
            'more files per second here; smaller ones reach the platform sooner.',
        },
        watch: {
          type: 'boolean',
          default: true,
          description:
            'Use file-system events (chokidar) to notice new files at once. false: rely on the periodic rescan only (e.g. on network ' +
            'shares that send no events).',
        },
        retryDelaySeconds: {
          type: 'number',
          minimum: 0.1,
          maximum: 3600,
          default: 5,
          description: 'How long to wait before trying again a file that was locked by another program or could not be read.',
        },
        claimProblemAfterSeconds: {
          type: 'number',
          minimum: 1,
          maximum: 86400,
          default: 60,
          description:
            "A file that cannot be taken from SRC this long (SRC not writable for the daemon's user, a file held open by another " +
            'program) is a problem in turnkey status, logged once; it is tried again until it can be taken.',
        },
        unreadableGiveUpSeconds: {
          type: 'number',
          minimum: 1,
          maximum: 86400,
          default: 60,
          description:
            "A claimed file that cannot be read this long (the daemon's user may not read it, a lock that does not go away, an I/O " +
            'error) is refused as unreadable and filed in ERR with its report. Until then it waits in WORK and is tried again.',
        },
        validationWorkers: {
          type: ['integer', 'null'],
          minimum: 0,
          maximum: 16,
          default: null,
          description:
            "Worker threads that read and validate files while intake records the previous batch. null: one less than the machine's " +
            "cores (at least 1, at most 4). 0: validate on intake's own thread.",
        },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The message store (SQLite).',
      properties: {
        finalBytesRetentionDays: {
          type: ['integer', 'null'],
          minimum: 1,
          default: 400,
          description:
            'The validated bytes of a message are kept in the database until it has been final (confirmed, rejected) for this many days; ' +
            'its row and history stay. null: keep them forever.',
        },
        busyTimeoutMs: {
          type: 'integer',
          minimum: 0,
          maximum: 600000,
          default: 5000,
          description: 'How long a database statement waits for a lock held by another connection before failing.',
        },
      },
    },
    daemon: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The running daemon (turnkey start).',
      properties: {
        heartbeatSeconds: {
          type: 'number',
          minimum: 0.2,
          maximum: 300,
          default: 5,
          description: 'How often the daemon writes its heartbeat to the store (turnkey status shows its age).',
        },
        drainTimeoutSeconds: {
          type: 'number',
          minimum: 1,
          maximum: 3600,
          default: 30,
          description:
            'On SIGTERM/SIGINT the daemon stops taking files and finishes the batch in hand; if that takes longer than this it exits ' +
            'with code 1 (nothing is lost: the next start resumes).',
        },
        priority: {
          enum: ['normal', 'below-normal', 'low'],
          default: 'below-normal',
          description:
            "The daemon's CPU priority. below-normal: nice 10 on every thread and, when the daemon leads its own session (a service), " +
            "on its session's autogroup; Windows' below-normal class. The ERP and interactive commands such as turnkey status then go " +
            'first while the daemon takes a burst, and idle cores are still used fully. normal leaves the priority it was started ' +
            'with; a lower one (systemd Nice=) is always kept. Between systemd services that have the CPU controller (CPUWeight=), ' +
            'their weights decide.',
        },
      },
    },
    platform: {
      type: ['object', 'null'],
      default: null,
      description:
        'Where and how messages are sent. null: the daemon only takes in and checks files. `turnkey init` writes a sandbox section (the ' +
        'simulator started in-process); pointing at the real platform is a change of this section (mode remote, hosts, account, ' +
        'certificate, known host key).',
      additionalProperties: false,
      required: ['mode', 'sftp', 'gateway'],
      properties: {
        mode: {
          enum: ['sandbox', 'remote'],
          description: 'sandbox: start the local platform simulator in-process and send to it; remote: send to the hosts below.',
        },
        partyId: {
          type: 'string',
          pattern: '^\\d{8}$',
          description:
            "The merchant's BAN as registered with the transport account: the envelope's From/PartyId. With `senders`, not needed.",
        },
        routingId: {
          type: 'string',
          pattern: '^[0-9A-Za-z]{1,16}$',
          description:
            "The merchant's routing id (FromVAC/RoutingId), given with the transport account; usually its BAN. Default: partyId.",
        },
        toPartyId: {
          type: 'string',
          default: '0000000000',
          description: 'To/PartyId of the envelope: the platform.',
        },
        toRoutingId: {
          type: 'string',
          default: '0000000000',
          description: 'ToVAC/RoutingId of the envelope: the platform.',
        },
        transport: {
          $ref: '#/$defs/transport',
          description:
            'The transport account (SFTP login and gateway Basic auth) of the single sender, and the default of senders that name none.',
        },
        certificate: {
          $ref: '#/$defs/certificate',
          description: 'The software certificate of the single sender, and the default of senders that name none.',
        },
        senders: {
          type: 'array',
          minItems: 1,
          description:
            'Several senders (a head office and its branches, or agents) on one server: each with its BAN, the sellers it sends for, its ' +
            'routing id, its certificate and its transport account. Messages are packed per sender and signed and sent with its ' +
            'identity; a message whose seller no sender covers is refused at intake (sender-unknown). Absent: one sender, partyId (in ' +
            'sandbox mode covering every seller; otherwise its own BAN only).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['partyId'],
            properties: {
              partyId: {
                type: 'string',
                pattern: '^\\d{8}$',
                description: "The sender's BAN: the envelope's From/PartyId.",
              },
              routingId: {
                type: 'string',
                pattern: '^[0-9A-Za-z]{1,16}$',
                description: 'Its routing id (FromVAC/RoutingId). Default: partyId.',
              },
              bans: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: {
                  type: 'string',
                  pattern: '^(\\d{8}|\\*)$',
                },
                description:
                  'The sellers it sends for (the message\'s Seller, SellerId, or for E0401/E0402 HeadBan); "*" covers every seller. ' +
                  'Default: [partyId].',
              },
              transport: {
                $ref: '#/$defs/transport',
                description: 'Its transport account. Default: platform.transport.',
              },
              certificate: {
                $ref: '#/$defs/certificate',
                description: 'Its software certificate. Default: platform.certificate.',
              },
            },
          },
        },
        sftp: {
          type: 'object',
          additionalProperties: false,
          required: ['host', 'port', 'knownHostsFile'],
          properties: {
            host: {
              type: 'string',
              minLength: 1,
            },
            port: {
              type: 'integer',
              minimum: 1,
              maximum: 65535,
              description: '2222 on the platform.',
            },
            knownHostsFile: {
              type: 'string',
              minLength: 1,
              description: "known_hosts file holding the server's key ([host]:port keytype base64). There is no accept-anything mode.",
            },
            timeoutSeconds: {
              type: 'integer',
              minimum: 1,
              default: 120,
            },
            algorithms: {
              type: ['object', 'null'],
              default: null,
              description:
                "ssh2 algorithm lists (kex, cipher, serverHostKey, hmac) for hosts that need legacy algorithms; null: ssh2's defaults.",
            },
          },
        },
        gateway: {
          type: 'object',
          additionalProperties: false,
          required: ['baseUrl'],
          properties: {
            baseUrl: {
              type: 'string',
              pattern: '^https?://',
              description:
                'e.g. https://<gateway host>/gateway/api; PFS001 is POSTed to <baseUrl>/pfs001i/uploadInvoiceMessage. The request ' +
                'carries the transport password: http:// is accepted only to this machine (127.0.0.1, ::1, localhost: a simulator ' +
                'or a local TLS proxy).',
            },
            caFile: {
              type: ['string', 'null'],
              default: null,
              description:
                "PEM file of further certificate authorities to trust for the gateway (a private CA or a company's TLS proxy), in " +
                "addition to Node's own. Certificates are always verified: NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored.",
            },
            connectTimeoutSeconds: {
              type: 'integer',
              minimum: 1,
              default: 10,
            },
            totalTimeoutSeconds: {
              type: 'integer',
              minimum: 1,
              default: 120,
            },
          },
        },
        actions: {
          type: 'object',
          default: {
            F0401: 'C0401',
          },
          additionalProperties: {
            type: 'string',
            minLength: 1,
          },
          description:
            'PFS001 `action` per message type (observed: C0401 with F0401; the rule is undocumented). A type not listed sends its own ' +
            'name.',
        },
        apiVersion: {
          type: 'string',
          default: '3.1.3',
        },
        turnkeyVersion: {
          type: 'string',
          default: '3.2.1',
        },
        simulator: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'sandbox mode only: the embedded simulator. Its ports must match sftp.port and gateway.baseUrl.',
          properties: {
            dataDir: {
              type: 'string',
              default: 'sim',
              description: "The simulator's folder (host key, SFTP folders, its record), relative to this configuration.",
            },
            processingDelayMs: {
              type: 'integer',
              minimum: 0,
              default: 200,
            },
            b2cTaxIncluded: {
              enum: ['accept', 'warn', 'reject'],
              default: 'warn',
            },
          },
        },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'The daemon logs JSON lines on standard output (the journal, or the service wrapper) and also into a file rotated by size ' +
        '(Windows has no journal). Passwords and keys never appear in them.',
      properties: {
        file: {
          anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }, { const: false }],
          default: null,
          description: 'The log file. null: <dataRoot>/logs/turnkey.log; false: standard output only. Relative to this file.',
        },
        maxMegabytes: { type: 'number', minimum: 0.1, default: 20, description: 'A file larger than this is rotated.' },
        keep: { type: 'integer', minimum: 0, maximum: 1000, default: 10, description: 'Rotated files kept beside the current one.' },
        pretty: {
          enum: ['auto', true, false],
          default: 'auto',
          description: 'Standard output as readable lines instead of JSON. auto: when it is a terminal. The file is always JSON.',
        },
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        listen: {
          type: ['string', 'null'],
          pattern: '^127\\.0\\.0\\.1:[0-9]{1,5}$',
          default: null,
          description:
            'Serve /healthz and Prometheus /metrics on this loopback address (e.g. "127.0.0.1:9464"). null: off. A sandbox made by ' +
            'turnkey init has it on.',
        },
      },
    },
    maintenance: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Announced maintenance windows of the platform: nothing is uploaded or notified and no result is polled inside one (intake ' +
        'and validation go on); sending resumes by itself after it. Windows also come from `turnkey maintenance add|import` and ' +
        'from feeds.',
      properties: {
        windows: {
          type: 'array',
          default: [],
          description: 'Windows known in advance. Times are ISO 8601; without an offset they are Taiwan time (+08:00).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: {
              from: { type: 'string', minLength: 1 },
              to: { type: 'string', minLength: 1 },
              reason: { type: 'string', default: 'announced maintenance' },
            },
          },
        },
        feeds: {
          type: 'array',
          default: [],
          description:
            'Announcement feeds, read on the maintenance.feeds schedule: an iCalendar file (.ics), the JSON list the simulator serves ' +
            'at /announcements ([{"start","end","description"}]), or a maintenance notice in Chinese (text or HTML, read as ' +
            '`turnkey maintenance import` reads it). A window removed from its feed is removed here.',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              url: { type: 'string', minLength: 1, description: 'An http(s) URL.' },
              file: { type: 'string', minLength: 1, description: 'A local file, relative to this configuration.' },
              format: { enum: ['auto', 'ics', 'json', 'notice'], default: 'auto' },
            },
          },
        },
        marginBeforeMinutes: {
          type: 'number',
          minimum: 0,
          default: 5,
          description: 'Sending stops this long before a window starts (a pack sent just before may find the platform gone).',
        },
        marginAfterMinutes: {
          type: 'number',
          minimum: 0,
          default: 5,
          description: 'Sending resumes this long after a window ends.',
        },
        resumeJitterSeconds: {
          type: 'number',
          minimum: 0,
          default: 60,
          description: 'And after a random delay up to this long, so that merchants do not all come back in the same second.',
        },
        probeSeconds: {
          type: 'number',
          minimum: 1,
          default: 60,
          description: 'While the platform says it is in maintenance without saying until when, one attempt this often.',
        },
      },
    },
    deadlines: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        "Legal upload deadlines (統一發票使用辦法 art. 7). Each message's deadline is set when it is recorded, from the first rule " +
        "that matches its type and buyer, counted from the message's own date and time (its issue, cancel, void or allowance date; " +
        'the start of that day in Taiwan time when the message has no time).',
      properties: {
        atRiskHours: {
          type: 'number',
          minimum: 0,
          default: 12,
          description: 'A message not yet uploaded this close to its deadline is at risk: logged, in turnkey status and its exit code.',
        },
        rules: {
          type: 'array',
          default: [
            { types: ['F0401', 'F0501', 'F0701', 'G0401', 'G0501'], buyer: 'b2c', hours: 48 },
            { types: ['F0401', 'F0501', 'F0701', 'G0401', 'G0501'], buyer: 'b2b', days: 7 },
            { types: ['E0402'], daysAfterPeriod: 10 },
          ],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['types'],
            properties: {
              types: { type: 'array', minItems: 1, items: { enum: ['F0401', 'F0501', 'F0701', 'G0401', 'G0501', 'E0401', 'E0402'] } },
              buyer: {
                enum: ['b2c', 'b2b', 'any'],
                default: 'any',
                description: 'b2c: the buyer is 0000000000 (a consumer); b2b: any other buyer.',
              },
              hours: { type: 'number', exclusiveMinimum: 0, description: 'Hours after the message’s date and time.' },
              days: { type: 'number', exclusiveMinimum: 0, description: 'Days (of 24 hours) after the message’s date and time.' },
              daysAfterPeriod: {
                type: 'integer',
                minimum: 1,
                description: 'Until the end of this day of the period after the message’s period (E0402: the 10th).',
              },
            },
          },
        },
      },
    },
    tracks: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Invoice-number tracks (字軌): the allocations (from E0501 files, turnkey tracks import and E0401 messages), the rules ' +
        'that need them, and the unused numbers (E0402) reported after each period.',
      properties: {
        check: {
          enum: ['refuse', 'warn', 'off'],
          default: 'refuse',
          description:
            "When the seller's allocations for an invoice's period are known: refuse an F0401 whose letters are not among them " +
            '(track-period) or whose number is outside them (track-range); or only warn; or stay silent.',
        },
        blankReport: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description:
            "The period's unused numbers as E0402 messages, dropped into E0402's SRC (legal deadline: the 10th of the next period).",
          properties: {
            auto: {
              type: 'boolean',
              default: true,
              description: 'Generate them by itself (the tracks job); false: only turnkey tracks blank.',
            },
            daysAfterPeriodEnd: {
              type: 'integer',
              minimum: 0,
              maximum: 9,
              default: 3,
              description: 'Days after the period ends before the report is generated (late invoices of the period still arrive).',
            },
            quietHours: {
              type: 'number',
              minimum: 0,
              default: 24,
              description: 'And only once no invoice of the period has arrived for this many hours.',
            },
          },
        },
      },
    },
    schedules: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'When the wall-clock jobs run: cron expressions (minute hour day month weekday, an optional seconds field first) in Taiwan ' +
        'time, or null to never run the job. Jobs never overlap; a failed job is logged and tried at its next time.',
      properties: {
        feeds: { type: ['string', 'null'], default: '*/10 * * * *', description: 'Read the maintenance feeds.' },
        deadlines: { type: ['string', 'null'], default: '*/15 * * * *', description: 'Log messages at risk of their deadline.' },
        dailySummary: { type: ['string', 'null'], default: '0 9 * * *', description: "A log line with yesterday's figures." },
        retention: {
          type: ['string', 'null'],
          default: '30 3 * * *',
          description: 'Release the kept bytes of old final messages (store.finalBytesRetentionDays).',
        },
        walCheckpoint: { type: ['string', 'null'], default: '*/30 * * * *', description: "Fold the database's write-ahead log back." },
        certificates: {
          type: ['string', 'null'],
          default: '0 9 * * *',
          description: 'Warn of certificates that expire within 30 days (then every day until replaced).',
        },
        tracks: {
          type: ['string', 'null'],
          default: '17 * * * *',
          description: "Check the tracks' stock and generate the last period's unused numbers (E0402) when they are due.",
        },
      },
    },
    outbound: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Packing, sending, retries and results (used when platform is set).',
      properties: {
        maxPackMessages: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          default: 1000,
          description: 'Messages per pack (the protocol allows 1,000).',
        },
        maxPackWaitSeconds: {
          type: 'number',
          minimum: 0,
          default: 2,
          description: 'A pack is cut when its oldest message has waited this long, full or not.',
        },
        zip: {
          type: 'boolean',
          default: false,
          description: 'Upload the signed file zipped.',
        },
        concurrency: {
          type: 'integer',
          minimum: 1,
          maximum: 32,
          default: 4,
          description: 'Packs uploaded and notified at once.',
        },
        tickMs: {
          type: 'integer',
          minimum: 20,
          maximum: 10000,
          default: 200,
          description: 'How often queued messages and due packs are looked at.',
        },
        resultPollSeconds: {
          type: 'number',
          minimum: 0.1,
          default: 30,
          description: "How often the platform's out/ folder is polled for results.",
        },
        resultPollSoonSeconds: {
          type: 'number',
          minimum: 0.1,
          default: 1,
          description: 'After an accepted notification, out/ is polled this soon.',
        },
        stuckUploadedMinutes: {
          type: 'integer',
          minimum: 1,
          default: 60,
          description: 'Packs the platform has had this long without a result are flagged by turnkey status.',
        },
        retry: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            baseDelaySeconds: {
              type: 'number',
              minimum: 0.01,
              default: 2,
            },
            maxDelaySeconds: {
              type: 'number',
              minimum: 0.01,
              default: 600,
            },
            maxAttempts: {
              type: 'integer',
              minimum: 1,
              default: 50,
              description:
                "Failed attempts the platform answered (a refusal, an HTTP 4xx, an unreadable answer) before a pack's messages go to " +
                'failed. Attempts that did not reach the platform (an outage, a maintenance window) never count.',
            },
            maxAgeHours: {
              type: 'number',
              minimum: 0.001,
              default: 48,
              description:
                "Hours after a pack's first answered failure after which its messages go to failed if the platform still refuses " +
                'it. Time the platform cannot be reached never counts.',
            },
          },
        },
        breaker: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            failureThreshold: {
              type: 'integer',
              minimum: 1,
              default: 5,
              description: 'Consecutive platform failures that stop sending.',
            },
            openSeconds: {
              type: 'number',
              minimum: 0.01,
              default: 30,
              description: 'How long sending stops before one probe pack.',
            },
            maxOpenSeconds: {
              type: 'number',
              minimum: 0.01,
              default: 600,
            },
          },
        },
      },
    },
  },
  $defs: {
    secret: {
      description:
        'A secret: written inline (discouraged), or read from an environment variable ({"env": "NAME"}) or a file ({"file": "path"}, ' +
        'relative to this configuration). Never logged.',
      oneOf: [
        {
          type: 'string',
          minLength: 1,
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['env'],
          properties: {
            env: {
              type: 'string',
              minLength: 1,
            },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['file'],
          properties: {
            file: {
              type: 'string',
              minLength: 1,
            },
          },
        },
      ],
    },
    transport: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'password'],
      description: 'The transport account (SFTP login and gateway Basic auth).',
      properties: {
        id: {
          type: 'string',
          minLength: 1,
        },
        password: {
          $ref: '#/$defs/secret',
        },
      },
    },
    certificate: {
      type: 'object',
      additionalProperties: false,
      required: ['pfx', 'password'],
      description: "The merchant's software certificate (PKCS#12), whose .cer is registered on the platform.",
      properties: {
        pfx: {
          type: 'string',
          minLength: 1,
          description: 'Path of the .pfx/.p12 file.',
        },
        password: {
          $ref: '#/$defs/secret',
        },
      },
    },
  },
} as const;

/** The file's content once checked, every default applied. */
export type TurnkeyConfigFile = FromSchema<typeof TURNKEY_CONFIG_SCHEMA>;
