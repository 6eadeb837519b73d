"""The Telegram bot: thin handlers over the knowledge base and the services in sathi/."""
