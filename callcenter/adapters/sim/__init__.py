"""Traffic drills on a real Asterisk: sipp citizens and seats, the drill runner."""
