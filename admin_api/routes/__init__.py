"""One module per area; each route is its dependencies and one service call."""
