"""Domain services: called by the bot and the admin API alike; no telegram or fastapi here."""
