"""Action plan pages: the plan page (``views``), writing and submitting it (``writing``), a leader's
decision and the district's setting (``decisions``), closing actions with evidence (``closing``) and
the overdue reminders (``reminders``)."""
