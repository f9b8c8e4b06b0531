"""Cluster building blocks: PKI helpers, kubeadm configs, node bootstrap phases.

Everything here is pure (plain values in, text out); the Pulumi component that wires
these into remote commands lives next to them.
"""
