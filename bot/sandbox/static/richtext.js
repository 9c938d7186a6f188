// rich_text blocks (what people's own messages are made of): sections, lists, quotes,
// preformatted runs, and inline text with styles, links, mentions, emoji and dates.
import { el, link, personName } from "./mrkdwn.js";
import { emojify } from "./emoji.js";
import { formatSlackDate } from "./dates.js";

function styled(node, style) {
  if (!style) return node;
  let out = node;
  if (style.code) out = el("code", { class: "mk-code" }, out);
  if (style.bold) out = el("b", {}, out);
  if (style.italic) out = el("i", {}, out);
  if (style.strike) out = el("s", {}, out);
  return out;
}

function inline(item, ctx) {
  switch (item.type) {
    case "text": return styled(document.createTextNode(item.text || ""), item.style);
    case "link": return styled(link(item.url || "", item.text || item.url || ""), item.style);
    case "user":
      return el("span", { class: "mention", "data-user-id": item.user_id }, "@" + personName(ctx, item.user_id));
    case "channel": {
      const c = ctx.channels.get(item.channel_id);
      return el("span", { class: "mention mention-channel" }, "#" + (c ? c.name : item.channel_id));
    }
    case "usergroup": {
      const g = ctx.usergroups.get(item.usergroup_id);
      return el("span", { class: "mention mention-group" }, "@" + (g ? g.handle : item.usergroup_id));
    }
    case "broadcast": return el("span", { class: "mention mention-broadcast" }, "@" + item.range);
    case "emoji": return document.createTextNode(item.unicode
      ? String.fromCodePoint(...item.unicode.split("-").map((h) => parseInt(h, 16)))
      : emojify(`:${item.name}:`));
    case "date":
      return document.createTextNode(formatSlackDate(item.timestamp, item.format || "{date}", ctx.tz, ctx.now)
        || item.fallback || "");
    default: return document.createTextNode(item.text || "");
  }
}

function part(p, ctx) {
  const kids = (p.elements || []);
  switch (p.type) {
    case "rich_text_section":
      return el("div", { class: "rt-section" }, kids.map((k) => inline(k, ctx)));
    case "rich_text_preformatted":
      return el("pre", { class: "mk-pre" }, kids.map((k) => inline(k, ctx)));
    case "rich_text_quote":
      return el("blockquote", { class: "mk-quote" }, kids.map((k) => inline(k, ctx)));
    case "rich_text_list": {
      const list = el(p.style === "ordered" ? "ol" : "ul", { class: "rt-list" });
      list.style.marginLeft = `${(p.indent || 0) * 20}px`;
      for (const k of kids) list.append(el("li", {}, part(k, ctx)));
      return list;
    }
    default: return el("span", { class: "bk-unsupported" }, `unsupported rich text: ${p.type}`);
  }
}

export function richText(block, ctx) {
  return el("div", { class: "rt" }, (block.elements || []).map((p) => part(p, ctx)));
}
