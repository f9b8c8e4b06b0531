"""Machines, one module per substrate (GCP, Scaleway Elastic Metal, machines you already
have, Equinix Metal), behind one interface (`machine.Machine`)."""
