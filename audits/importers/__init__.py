"""Importers that read public data files into Touchpoint's domain: school directories for now."""
