import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { ERROR_CODES, problemBodySchema, type ErrorCode } from '@parley/protocol';
import { REST_OPERATIONS, REST_TAGS, type RestOperation } from './rest-operations';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export const BEARER_SCHEME = 'bearerAuth';
export const REFRESH_COOKIE_SCHEME = 'refreshCookie';
const PROBLEM_REF = '#/components/schemas/Problem';

/**
 * The gateway's REST API as an OpenAPI 3.1 document, generated from
 * REST_OPERATIONS and the protocol's zod schemas (served at GET /api/openapi.json).
 */
export function buildOpenApiDocument(operations: readonly RestOperation[] = REST_OPERATIONS): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The `token` from register, login or refresh (HS256, `iss=parley`, `aud=parley-im`, minutes long).',
  });
  registry.registerComponent('securitySchemes', REFRESH_COOKIE_SCHEME, {
    type: 'apiKey',
    in: 'cookie',
    name: 'parley_refresh',
    description:
      'The refresh token, set by register, login and refresh (`HttpOnly; Secure; SameSite=Strict; Path=/api/auth`; without `Secure` only on plain http to a non-loopback host). Clients without cookies send it as the body\'s `refreshToken` instead.',
  });
  for (const op of operations) registry.registerPath(routeConfig(op));
  // Problem is only $ref'd from raw schemas below, so it is registered explicitly.
  const definitions = [...registry.definitions, { type: 'schema' as const, schema: problemBodySchema }];
  const document = new OpenApiGeneratorV31(definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Parley gateway REST API',
      version: '1',
      description: [
        'Accounts, profiles and IM node assignment. Messaging itself runs over Socket.IO on the IM nodes;',
        'see docs/protocol.md. Errors are RFC 9457 problem documents (`application/problem+json`) with a',
        'stable `code`; each operation lists the codes it can answer with.',
      ].join(' '),
    },
    tags: [...REST_TAGS],
  });
  // The generator always adds these; empty, they only add noise.
  delete document.webhooks;
  if (document.components) delete document.components.parameters;
  for (const item of Object.values(document.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) item[method]?.parameters?.forEach(neverNull);
  }
  return document;
}

/**
 * A query string cannot carry null, but the generator probes nullability by
 * parsing null, which `z.coerce.number()` turns into 0 (a valid `offset`).
 */
function neverNull(parameter: object): void {
  const schema = 'schema' in parameter ? (parameter.schema as { type?: unknown } | undefined) : undefined;
  if (Array.isArray(schema?.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    schema.type = types.length === 1 ? types[0] : types;
  }
}

function routeConfig(op: RestOperation): Parameters<OpenAPIRegistry['registerPath']>[0] {
  const { success } = op;
  const responses: Record<string, ResponseConfig> = {
    [success.status]:
      'schema' in success
        ? { description: success.description, content: { [success.mediaType ?? 'application/json']: { schema: success.schema } } }
        : { description: success.description },
    ...problemResponses(op.body ? { ...op.errors, ...BODY_REFUSALS } : op.errors),
  };
  return {
    method: op.method,
    path: op.path,
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.bearer || op.refreshCookie ? { security: securityOf(op) } : {}),
    request: {
      ...(op.body ? { body: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      ...(op.rawBody
        ? { body: { required: true, description: op.rawBody.description, content: { [op.rawBody.mediaType]: { schema: { type: 'string', format: 'binary' } } } } }
        : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.params ? { params: op.params } : {}),
    },
    responses,
  };
}

/** What any operation with a body can answer before its handler runs (json-body.ts, problem.ts). */
const BODY_REFUSALS: RestOperation['errors'] = {
  PAYLOAD_TOO_LARGE: 'the body is over 64 KiB',
  UNSUPPORTED_MEDIA_TYPE: 'the body is not `application/json` in UTF-8',
};

/** Alternatives: a bearer token, the refresh cookie, or (refresh token in the body) neither. */
function securityOf(op: RestOperation): Record<string, string[]>[] {
  return [
    ...(op.bearer ? [{ [BEARER_SCHEME]: [] }] : []),
    ...(op.refreshCookie ? [{ [REFRESH_COOKIE_SCHEME]: [] }, {}] : []),
  ];
}

/** One response per HTTP status, its `code` narrowed to the codes this operation can give with that status. */
function problemResponses(errors: RestOperation['errors']): Record<string, ResponseConfig> {
  const byStatus = new Map<number, [ErrorCode, string][]>();
  for (const [code, meaning] of Object.entries(errors) as [ErrorCode, string][]) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), [code, meaning]]);
  }
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) {
    const codes = entries.map(([code]) => code);
    responses[status] = {
      description: entries.map(([code, meaning]) => `\`${code}\`: ${meaning}`).join('; '),
      ...(codes.includes('RATE_LIMITED')
        ? { headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } } }
        : {}),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: PROBLEM_REF },
              { type: 'object', properties: { status: { const: status }, code: { type: 'string', enum: codes } } },
            ],
          },
          examples: Object.fromEntries(
            entries.map(([code, meaning]) => [
              code,
              {
                summary: meaning,
                value: { type: 'about:blank', title: ERROR_CODES[code].title, status, code, detail: '…' },
              },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}
