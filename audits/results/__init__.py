"""Round results as district leaders read them: overview, heat map, school page, alert threshold.

Everything here is built from ``audits.scoring`` in a fixed number of queries,
whatever the number of schools; the web layer only renders it.
"""
