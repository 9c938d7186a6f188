// Emoji shortcodes -> Unicode for mrkdwn and plain_text with emoji:true.
// Slack knows thousands; we keep the ones Trainbot's templates use plus a common set.
// Unknown shortcodes stay as text, as Slack shows them when an emoji does not exist.
const EMOJI = {
  // used by Trainbot (templates, vocab)
  rotating_light: "🚨", no_entry_sign: "🚫", white_check_mark: "✅", tada: "🎉",
  information_source: "ℹ️", books: "📚", arrows_counterclockwise: "🔄", white_circle: "⚪",
  warning: "⚠️", red_circle: "🔴", page_facing_up: "📄", newspaper: "📰",
  movie_camera: "🎥", mortar_board: "🎓", memo: "📝", large_orange_circle: "🟠",
  large_blue_circle: "🔵", headphones: "🎧", calendar: "📆", alarm_clock: "⏰",
  // courses and learning paths (DMs, Home, builders)
  world_map: "🗺️", double_vertical_bar: "⏸️", file_cabinet: "🗄️", wastebasket: "🗑️",
  // common faces and hands
  smile: "😄", smiley: "😃", grinning: "😀", blush: "😊", wink: "😉", joy: "😂",
  slightly_smiling_face: "🙂", upside_down_face: "🙃", thinking_face: "🤔", sweat_smile: "😅",
  heart_eyes: "😍", sunglasses: "😎", neutral_face: "😐", confused: "😕", cry: "😢",
  sob: "😭", scream: "😱", rage: "😡", sleeping: "😴", partying_face: "🥳", star_struck: "🤩",
  raised_hands: "🙌", clap: "👏", wave: "👋", "+1": "👍", thumbsup: "👍", "-1": "👎",
  thumbsdown: "👎", ok_hand: "👌", pray: "🙏", muscle: "💪", point_right: "👉",
  point_left: "👈", point_up: "☝️", point_down: "👇", v: "✌️", handshake: "🤝", eyes: "👀",
  brain: "🧠", bust_in_silhouette: "👤", busts_in_silhouette: "👥", man_teacher: "👨‍🏫",
  woman_teacher: "👩‍🏫", student: "🧑‍🎓", technologist: "🧑‍💻",
  // symbols and marks
  heart: "❤️", broken_heart: "💔", star: "⭐", star2: "🌟", sparkles: "✨", fire: "🔥",
  zap: "⚡", boom: "💥", "100": "💯", heavy_check_mark: "✔️", ballot_box_with_check: "☑️",
  x: "❌", heavy_multiplication_x: "✖️", negative_squared_cross_mark: "❎",
  exclamation: "❗", heavy_exclamation_mark: "❗", question: "❓", grey_question: "❔",
  bangbang: "‼️", no_entry: "⛔", stop_sign: "🛑", construction: "🚧", bulb: "💡",
  bell: "🔔", no_bell: "🔕", lock: "🔒", unlock: "🔓", key: "🔑", link: "🔗", pushpin: "📌",
  round_pushpin: "📍", paperclip: "📎", mag: "🔍", mag_right: "🔎", gear: "⚙️",
  hammer_and_wrench: "🛠️", wrench: "🔧", hourglass: "⌛", hourglass_flowing_sand: "⏳",
  stopwatch: "⏱️", timer_clock: "⏲️", clock1: "🕐", clock9: "🕘", watch: "⌚",
  date: "📅", spiral_calendar_pad: "🗓️", calendar_spiral: "🗓️",
  large_green_circle: "🟢", large_yellow_circle: "🟡", large_purple_circle: "🟣",
  black_circle: "⚫", green_heart: "💚", blue_heart: "💙", yellow_heart: "💛",
  purple_heart: "💜", orange_heart: "🧡", trophy: "🏆", medal: "🏅",
  sports_medal: "🏅", first_place_medal: "🥇", second_place_medal: "🥈",
  third_place_medal: "🥉", dart: "🎯", rocket: "🚀", chart_with_upwards_trend: "📈",
  chart_with_downwards_trend: "📉", bar_chart: "📊", clipboard: "📋", pencil: "📝",
  pencil2: "✏️", writing_hand: "✍️", book: "📖", open_book: "📖", closed_book: "📕",
  green_book: "📗", blue_book: "📘", orange_book: "📙", notebook: "📓", bookmark: "🔖",
  bookmark_tabs: "📑", scroll: "📜", page_with_curl: "📃", file_folder: "📁",
  open_file_folder: "📂", card_index_dividers: "🗂️", inbox_tray: "📥", outbox_tray: "📤",
  email: "📧", envelope: "✉️", incoming_envelope: "📨", mailbox: "📫", package: "📦",
  speech_balloon: "💬", thought_balloon: "💭", loudspeaker: "📢", mega: "📣",
  video_camera: "📹", film_frames: "🎞️", tv: "📺", computer: "💻", desktop_computer: "🖥️",
  iphone: "📱", microphone: "🎤", studio_microphone: "🎙️", musical_note: "🎵",
  art: "🎨", jigsaw: "🧩", teacher: "🧑‍🏫", school: "🏫", office: "🏢", house: "🏠",
  globe_with_meridians: "🌐", earth_africa: "🌍", sunny: "☀️", cloud: "☁️",
  umbrella: "☔", snowflake: "❄️", rainbow: "🌈", seedling: "🌱", herb: "🌿",
  coffee: "☕", tea: "🍵", pizza: "🍕", cake: "🍰", birthday: "🎂", gift: "🎁",
  balloon: "🎈", confetti_ball: "🎊", moneybag: "💰", dollar: "💵", credit_card: "💳",
  arrow_right: "➡️", arrow_left: "⬅️", arrow_up: "⬆️", arrow_down: "⬇️",
  arrow_forward: "▶️", arrow_backward: "◀️", arrows_clockwise: "🔃", repeat: "🔁",
  leftwards_arrow_with_hook: "↩️", arrow_right_hook: "↪️", heavy_plus_sign: "➕",
  heavy_minus_sign: "➖", new: "🆕", free: "🆓", up: "🆙", cool: "🆒", sos: "🆘",
  white_large_square: "⬜", black_large_square: "⬛", small_blue_diamond: "🔹",
  small_orange_diamond: "🔸", large_blue_diamond: "🔷", large_orange_diamond: "🔶",
  red_triangle_pointed_up: "🔺", small_red_triangle: "🔺", small_red_triangle_down: "🔻",
  checkered_flag: "🏁", triangular_flag_on_post: "🚩", flag_white: "🏳️", robot_face: "🤖",
  robot: "🤖", ghost: "👻", skull: "💀", see_no_evil: "🙈", hugging_face: "🤗",
  shrug: "🤷", facepalm: "🤦", raising_hand: "🙋", bow: "🙇", runner: "🏃", walking: "🚶",
  hourglass_done: "⌛", zzz: "💤", dash: "💨", sweat_drops: "💦", ok: "🆗", sos_button: "🆘",
  one: "1️⃣", two: "2️⃣", three: "3️⃣", four: "4️⃣", five: "5️⃣", keycap_ten: "🔟",
};

// Replaces :shortcode: in a string; skin-tone modifiers are dropped (as Slack falls back).
export function emojify(text) {
  return text.replace(/:([a-z0-9_+'-]+):(?::skin-tone-\d:)?/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : whole);
}
