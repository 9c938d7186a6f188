"""`trainbot sandbox`: the real app, the Slack stand-in and a browser page, on loopback.

See PROTOCOL.md for the page's JSON API and README.md ("Try it without Slack").
"""
