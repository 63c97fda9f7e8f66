"""Optional Twilio click-to-call: the auditor's call button, Twilio's webhooks, recordings, settings.

Everything here answers 404 unless ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``
and ``TWILIO_CALLER_ID`` are all set (the settings page excepted, which says so).
"""
