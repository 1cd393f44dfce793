"""FastAGI adapter: the dialplan asks the app for ticket status (self-service) and the route decision."""
