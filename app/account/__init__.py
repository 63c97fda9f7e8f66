"""Every signed-in person's account page: who they are, and their personal API tokens."""
