"""Trainbot: a Slack-native training library."""
