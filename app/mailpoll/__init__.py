"""Reading persona mailboxes (``flask mail poll``, the beat task) and the auditor's decisions on replies."""
