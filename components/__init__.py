"""Reusable Klustered components: machines, cluster, mesh, access, DNS, workload.

Nothing here imports `breaks` or `klustered`, and nothing here reads `pulumi.Config`:
callers pass typed args.
"""
