"""iamtwin.evaluate."""
