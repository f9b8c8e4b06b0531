"""The Klustered app (v1) and its Postgres, as pure manifest renderers, plus the goal check."""
