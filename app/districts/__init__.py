"""District settings: school-day hours, timezone and closure dates."""
