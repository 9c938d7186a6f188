"""files.* methods: the upload v2 flow (getUploadURLExternal, POST, completeUploadExternal)."""

from __future__ import annotations

import copy
from typing import Any

from bot.fakeslack.objects import file_object
from bot.fakeslack.params import int_arg
from bot.fakeslack.state import ApiError, Args, Handler, Workspace


def files_get_upload_url_external(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    filename = args.get("filename")
    length = int_arg(args.get("length"), -1)
    if not filename or length < 0:
        raise ApiError("invalid_arguments", ["filename and length are required"])
    file_id = ws.next_id("F")
    ws.files[file_id] = {"id": file_id, "name": str(filename), "length": length, "pending": True}
    return {"upload_url": f"{ws.server_url}upload/{file_id}", "file_id": file_id}


def store_upload(ws: Workspace, file_id: str, content: bytes) -> bool:
    """Bytes POSTed to an upload_url; False when no upload is pending under that id."""
    pending = ws.files.get(file_id)
    if pending is None or not pending.get("pending"):
        return False
    ws.file_bytes[file_id] = content
    return True


def files_complete_upload_external(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments", ["files must be a JSON array of {id, title}"])
    channel_ids = [c for c in str(args.get("channels") or "").split(",") if c]
    if args.get("channel_id"):
        channel_ids.insert(0, str(args["channel_id"]))
    channels = [ws.postable_channel(channel_id) for channel_id in channel_ids]
    file_ids = [_uploaded_id(ws, entry) for entry in entries]
    pairs = zip(file_ids, entries, strict=True)
    completed = [_complete_one(ws, file_id, entry) for file_id, entry in pairs]
    for channel in channels:
        for done in completed:
            done["channels"].append(channel.id)
        message_args = {
            "text": args.get("initial_comment") or "",
            "files": copy.deepcopy(completed),
            "thread_ts": args.get("thread_ts"),
        }
        message = ws.bot_message(ws.next_ts(), message_args)
        message["upload"] = True
        ws.messages.setdefault(channel.id, []).append(message)
    return {"files": copy.deepcopy(completed)}


def files_info(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    found = ws.files.get(str(args.get("file") or ""))
    if found is None or found.get("pending"):
        raise ApiError("file_not_found")
    return {"file": copy.deepcopy(found), "comments": [], "response_metadata": {"next_cursor": ""}}


def _uploaded_id(ws: Workspace, entry: Any) -> str:
    file_id = entry.get("id") if isinstance(entry, dict) else None
    pending = ws.files.get(file_id) if isinstance(file_id, str) else None
    if pending is None or not pending.get("pending") or file_id not in ws.file_bytes:
        raise ApiError("file_not_found", [f"no uploaded file {file_id!r}"])
    return str(file_id)


def _complete_one(ws: Workspace, file_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    name = ws.files[file_id]["name"]
    title = entry.get("title") or name
    size = len(ws.file_bytes[file_id])
    ws.files[file_id] = file_object(ws.identity, ws.server_url, file_id, name, title, size)
    return ws.files[file_id]


METHODS: dict[str, Handler] = {
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
    "files.info": files_info,
}
