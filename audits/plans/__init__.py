"""Action plans: opened when a round's scorecards are published, written by the principal, decided by a
leader, closed action by action with evidence, reminded when overdue.

``opening`` opens plans (on publication, or on request), ``weak`` finds what a plan answers,
``workflow`` is the table of steps, ``actions`` writes and decides plans, ``closing`` closes an
action with its evidence, ``listing`` answers what is open and overdue, ``reminders`` finds the
overdue actions to remind, and ``history`` tells each step in words.
"""
