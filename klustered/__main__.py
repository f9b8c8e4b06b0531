"""`python -m klustered` and the `klustered` console script."""

import gc


def main() -> None:
    """Load the CLI with the cycle collector paused, then run it."""
    # Loading the CLI (typer, rich, pydantic, the config models) makes some 80,000 objects
    # that live as long as the process: collecting while they are made frees nothing.
    # Frozen, no later collection walks them again.
    gc.disable()
    from klustered.cli import main as cli_main

    gc.freeze()
    gc.enable()
    cli_main()


if __name__ == "__main__":
    main()
