"""The break framework (scenario loader, lint rules, Break component) and the catalog.

Imports only the public types of `components`, never `klustered`.
"""
