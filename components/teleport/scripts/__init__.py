"""Shell scripts the Teleport server and the node agents run (sent on stdin)."""
