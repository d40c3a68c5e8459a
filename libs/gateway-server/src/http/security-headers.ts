import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { NodeDirectory, NodeInstance, PublicEntry } from '@parley/domain';

/**
 * Security headers on every answer, the web client's and the API's (helmet).
 * The CSP fits the built client (static/dist): its one module script and one
 * stylesheet come from this origin, nothing is inline (preact sets styles
 * through the DOM, which CSP allows); the favicon and a CSS icon are data:
 * SVG; avatars are any https image; blob: is the preview of an image the
 * page itself is uploading (an object URL of the picked file). The client talks to the gateway and to
 * the IM nodes the gateway hands out. With a public entry every socket goes
 * to the entry, so `connect-src` names the entry's origin (often the page's
 * own, but `'self'` does not cover ws: in every browser). Without one it
 * lists the nodes' origins, read from the directory on each answer: a node
 * that joins is reachable at once. `/api/docs` replaces the CSP with its own
 * (api-docs.router.ts). `blobOrigin` is the S3 endpoint the page uploads
 * to (XMLHttpRequest PUT) and shows images from, when attachments are in S3.
 */
export function securityHeaders(directory: NodeDirectory, entry?: PublicEntry, blobOrigin?: string): RequestHandler {
  const nodeOrigins = entry ? entry.connectSources.join(' ') : nodeOriginsOf(directory);
  const blobSources = blobOrigin ? [blobOrigin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:', 'https:', ...blobSources],
        'font-src': ["'self'"],
        'connect-src': ["'self'", nodeOrigins, ...blobSources],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // No upgrade-insecure-requests: embedded mode's nodes are plain http on localhost.
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Only honoured over https; the gateway does not know which sibling hosts exist, so no includeSubDomains.
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  });
}

/**
 * The `connect-src` sources of the directory's healthy nodes: each node's
 * origin in its http(s) form (Socket.IO's polling) and ws(s) form (its
 * WebSocket). Recomputed only when the directory's list changes (directories
 * hand out the same array until then).
 */
function nodeOriginsOf(directory: NodeDirectory): (req: IncomingMessage, res: ServerResponse) => string {
  let seen: readonly NodeInstance[] | undefined;
  let sources = '';
  return () => {
    const nodes = directory.healthyNodes();
    if (nodes !== seen) {
      seen = nodes;
      sources = [...new Set(nodes.flatMap((node) => connectSourcesOf(node.url)))].join(' ');
    }
    return sources;
  };
}

/** `http://h:p` → `http://h:p ws://h:p`; anything but an http(s) URL adds nothing (a URL's origin cannot carry `;` or spaces). */
export function connectSourcesOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [];
  const socketScheme = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
  return [parsed.origin, `${socketScheme}//${parsed.host}`];
}
