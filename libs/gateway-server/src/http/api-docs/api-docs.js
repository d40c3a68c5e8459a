/* global SwaggerUIBundle */
// Starts Swagger UI on the gateway's own OpenAPI document (page: GET /api/docs).
// validatorUrl null: no badge fetched from validator.swagger.io; nothing leaves this origin.
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  validatorUrl: null,
});
