"""Traffic drills (话务演练): pure planning and the drill report."""
