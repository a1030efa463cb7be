"""iamtwin.policy."""
