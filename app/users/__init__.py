"""The users page: people, their roles and schools, switching accounts off and on, the audit log."""
