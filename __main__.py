"""Entry point for `pulumi up`: the real program, as `klustered plan` runs it offline."""

from klustered.program import main

episode = main()

rendered_files = episode.rendered_files
"""Every file a node receives, `<team>/<node>/<file>`: `klustered plan --project` writes them
under its output directory (`pulumi up` ignores this name)."""
