"""The second auditor's pages of blind double-scoring."""
