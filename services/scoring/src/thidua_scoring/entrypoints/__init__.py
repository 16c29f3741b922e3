"""How the outside reaches scoring: the HTTP API, exports, and its consumers."""
