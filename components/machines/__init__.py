"""Machines, one module per substrate (Equinix Metal, GCP Compute), behind one interface."""
