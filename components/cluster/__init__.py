"""Cluster building blocks: PKI helpers, kubeadm configs, node bootstrap phases.

Everything here so far is pure (plain values in, text out); the Pulumi component that
wires these into remote commands is meant to live next to them and pass the text through.
"""
