"""The application layer: stack-config schema, episode assembly, offline plan and CLI."""
