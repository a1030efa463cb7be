"""iamtwin.world."""
