"""Scripts the machine components send to hosts (the reset of an existing machine)."""
