"""Comm100 Live Chat (chat, offline message and agent status webhooks) for hookyard."""
