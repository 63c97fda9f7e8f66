"""The school directory pages."""
