// Starts Swagger UI on /api/docs (see api/docs_ui.py). A file of ours rather than an inline script:
// the Content-Security-Policy lets only this origin's script files run.
'use strict';

(() => {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    layout: 'BaseLayout',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // never send our schema to the public validator
    persistAuthorization: false, // a token typed here is not kept in the browser
  });
})();
