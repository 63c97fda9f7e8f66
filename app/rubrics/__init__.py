"""The rubric editor: versions, sections, items, YAML import and export, preview."""
