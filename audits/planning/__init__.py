"""Planning audit rounds: the pure planner and the round workflow around it."""
