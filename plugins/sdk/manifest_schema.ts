/**
 * JSON Schema of manifest.json. The same document is published as
 * manifest.schema.json for editors and outside tools; a unit test keeps the two equal.
 * It lives in a module (not only in the .json file) so the compiled build carries it.
 */
export const MANIFEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://courier-hub.dev/schemas/plugin-manifest-1.json',
  title: 'Carrier plugin manifest',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'version',
    'name',
    'hostApi',
    'capabilities',
    'configSchema',
    'egress',
    'money',
    'coordinates',
    'entry',
  ],
  properties: {
    id: {
      description: 'Lowercase slug, unique in the hub',
      type: 'string',
      pattern: '^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$',
      minLength: 2,
      maxLength: 40,
    },
    version: {
      description: 'Semantic version of this package',
      type: 'string',
      pattern:
        '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$',
    },
    name: {
      $ref: '#/definitions/localized',
    },
    description: {
      $ref: '#/definitions/localized',
    },
    hostApi: {
      description: 'Semver range of the host contract, e.g. ^1.0.0',
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    capabilities: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: {
        enum: [
          'quote',
          'create',
          'cancel',
          'preCancel',
          'tip',
          'track',
          'riderLocation',
          'webhook',
          'proofOfDelivery',
        ],
      },
    },
    configSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'properties'],
      properties: {
        type: {
          const: 'object',
        },
        properties: {
          type: 'object',
          additionalProperties: {
            $ref: '#/definitions/configProperty',
          },
        },
        required: {
          type: 'array',
          items: {
            type: 'string',
          },
          uniqueItems: true,
        },
        additionalProperties: {
          type: 'boolean',
        },
      },
    },
    egress: {
      type: 'array',
      maxItems: 50,
      uniqueItems: true,
      items: {
        type: 'string',
        pattern:
          '^(?:\\*\\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$',
      },
    },
    money: {
      enum: ['fen', 'yuan', 'cents'],
    },
    coordinates: {
      type: 'object',
      additionalProperties: false,
      required: ['system'],
      properties: {
        system: {
          enum: ['gcj02', 'bd09', 'wgs84'],
        },
        scale: {
          type: 'number',
          exclusiveMinimum: 0,
        },
      },
    },
    entry: {
      description: 'Relative path of the single ESM file, e.g. dist/index.js',
      type: 'string',
      pattern: '^(?!/)(?!.*(?:^|/)\\.\\.(?:/|$))[A-Za-z0-9_./-]+\\.(?:js|mjs)$',
    },
    author: {
      type: 'string',
      maxLength: 200,
    },
    homepage: {
      type: 'string',
      maxLength: 500,
    },
  },
  definitions: {
    localized: {
      type: 'object',
      additionalProperties: false,
      required: ['zh-CN', 'en'],
      properties: {
        'zh-CN': {
          type: 'string',
          minLength: 1,
          maxLength: 500,
        },
        'en': {
          type: 'string',
          minLength: 1,
          maxLength: 500,
        },
      },
    },
    configProperty: {
      type: 'object',
      required: ['type', 'x-ui'],
      properties: {
        'type': {
          enum: ['string', 'number', 'integer', 'boolean'],
        },
        'x-secret': {
          type: 'boolean',
        },
        'x-ui': {
          type: 'object',
          additionalProperties: false,
          required: ['component', 'label'],
          properties: {
            component: {
              enum: ['input', 'password', 'select', 'number', 'switch', 'textarea'],
            },
            label: {
              $ref: '#/definitions/localized',
            },
            help: {
              $ref: '#/definitions/localized',
            },
            order: {
              type: 'integer',
            },
            placeholder: {
              type: 'string',
            },
          },
        },
      },
    },
  },
} as const
