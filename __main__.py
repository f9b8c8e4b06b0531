"""Entry point for `pulumi up`: the real program, as `klustered plan` runs it offline."""

from klustered.program import main

main()
