"""Appeals: a principal queries one answer of a published scorecard's contact; another reviewer decides.

- ``window``: how long after publication a school may query (the district's school days);
- ``answers``: the counted contacts of a published scorecard with their answers, as a principal
  sees them (numbered as the scorecard's appendix, never naming the auditor);
- ``filing``: the principal's query of one answer, with its reason and evidence;
- ``decisions``: a reviewer other than the one who approved the contact upholds it (the answer is
  corrected through the contact's edit log and the contact approved again) or not, with a reason;
- ``queries``: appeals by contact, school, district and round, and the round's counts.

Everything takes a session and flushes; the caller commits.
"""
