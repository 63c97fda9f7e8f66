"""Sign in with a district account (Google Workspace, Microsoft 365) through OpenID Connect."""
