"""Node bootstrap phases as shellcheck-clean `.sh` files (read with components.shell.load_script)."""
