"""Curated articles for workers: files, validation, search; no bot or web code in here."""
