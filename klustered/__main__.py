"""`python -m klustered`: the same as the `klustered` console script."""

from klustered.cli import main

main()
