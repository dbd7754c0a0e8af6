// The docs page: Swagger UI over this server's /openapi.json. "Authorize" takes a bearer token
// (the local runtime prints one per role at start).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Swagger UI would otherwise send the document to validator.swagger.io.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
