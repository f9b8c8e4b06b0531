"""`klustered dns verify`: validate a name's DNSSEC chain of trust from a trust anchor."""
