"""STS: temporary credentials and sessions, issued as AWS STS issues them."""
