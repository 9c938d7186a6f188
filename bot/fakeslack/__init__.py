"""A local stand-in for Slack: the Web API (FakeSlack) and Slack's side of requests
into the app (SlackClient). Tests and the browser sandbox reach both over real HTTP.
"""

from bot.fakeslack.client import SlackClient, channel_ref, mention, subteam_ref
from bot.fakeslack.recording import ApiCall
from bot.fakeslack.sender import AppResponse, sign
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.surface import find_action_ids, input_block_ids, view_texts

__all__ = [
    "ApiCall",
    "AppResponse",
    "FakeSlack",
    "SlackClient",
    "channel_ref",
    "find_action_ids",
    "input_block_ids",
    "mention",
    "sign",
    "subteam_ref",
    "view_texts",
]
