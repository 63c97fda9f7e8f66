"""Results pages for district leaders and reviewers: round overview, heat map, school results, exports."""
