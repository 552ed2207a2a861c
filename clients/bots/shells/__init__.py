"""Shells: the I/O around the bot brains (HTTP, WebSocket and MQTT; driver.py is shared)."""
