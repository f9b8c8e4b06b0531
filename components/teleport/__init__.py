"""Access: one Teleport cluster per episode, GitHub SSO, per-team roles and node agents."""
