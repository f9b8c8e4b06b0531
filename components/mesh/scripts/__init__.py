"""Shell scripts of the mesh component (package data)."""
