"""Node bootstrap phases as shellcheck-clean `.sh` files, read with load_script."""
