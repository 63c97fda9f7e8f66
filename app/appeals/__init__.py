"""Appeal pages: a principal queries an answer of a published scorecard; another reviewer decides."""
