"""The Touchpoint domain: models, rules and importers, free of any web framework."""
