"""Phone contacts placed through Twilio: recording law, measured timings, callbacks, retention.

Nothing here talks to Twilio or knows Flask: functions take plain values and a
SQLAlchemy session, and the web layer does the HTTP (placing calls, fetching and
deleting recordings) and commits.
"""
