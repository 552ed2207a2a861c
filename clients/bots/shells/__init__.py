"""Shells: the I/O around the bot brains (HTTP today; WebSocket and MQTT later)."""
