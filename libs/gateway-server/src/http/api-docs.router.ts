import path from 'node:path';
import express, { Router, type Response } from 'express';
import { buildOpenApiDocument } from './openapi-document';

/** The page's own files (index.html, api-docs.js). */
const PAGE_DIR = path.join(__dirname, 'api-docs');
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
/** What the page loads from swagger-ui-dist; its other files (a demo page pointing at petstore.swagger.io…) are not served. */
const SWAGGER_UI_ASSETS = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png', '/favicon-16x16.png']);
const PAGE_ASSETS = new Set(['/api-docs.js']);

/**
 * Everything the page needs comes from this origin: no CDN, no inline script
 * or style (Swagger UI 5 sets styles through the DOM, which CSP allows). Its
 * icons are data: SVG, hence img-src data:. The browser test checks that the
 * page renders and runs a request with no violation.
 */
export const API_DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function setSecurityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', API_DOCS_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * `GET /api/openapi.json` (the REST API as OpenAPI 3.1, built once) and
 * `GET /api/docs` (Swagger UI on it, served from node_modules). Mount at `/api`.
 */
export function apiDocsRouter(): Router {
  const json = JSON.stringify(buildOpenApiDocument());
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(json);
  });
  router.get('/docs', (_req, res) => {
    setSecurityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(PAGE_DIR, 'index.html'));
  });
  const assets = { index: false, redirect: false, maxAge: '1h' } as const;
  const pageFiles = express.static(PAGE_DIR, assets);
  const swaggerUiFiles = express.static(SWAGGER_UI_DIR, assets);
  router.use('/docs', (req, res, next) => {
    const files = PAGE_ASSETS.has(req.path) ? pageFiles : SWAGGER_UI_ASSETS.has(req.path) ? swaggerUiFiles : undefined;
    if (!files) return next();
    setSecurityHeaders(res);
    return files(req, res, next);
  });
  return router;
}
