"""Sathi: the core that the Telegram bot and the admin API share."""
