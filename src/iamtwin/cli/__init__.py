"""iamtwin.cli."""
