"""Renderers for check reports: rich tables for people, JSON for tools, SARIF for CI."""
