"""Page routes, one module per area; `web.routes.router` includes them all."""
