"""Renderings of a validation report: text for people, JSON and SARIF for machines."""
