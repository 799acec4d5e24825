/*
 * Starts Swagger UI (swagger-ui-dist, served from this function with the page: no CDN) on /openapi.json.
 * No inline script: the page's CSP allows scripts from its own origin only.
 */
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  displayOperationId: false,
  displayRequestDuration: true,
  filter: true,
  persistAuthorization: false,
  showExtensions: false,
  tryItOutEnabled: false,
  // The public validator badge would fetch from another origin (and the CSP refuses it).
  validatorUrl: null,
});
