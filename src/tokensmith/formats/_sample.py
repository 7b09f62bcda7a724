"""The built-in multilingual sample every conversion is verified on.

It is meant to reach the corners where a rank rule and a merge list, or two regex engines,
disagree: many scripts, combining marks, emoji sequences, code, digit runs, whitespace runs,
contractions, mixed case, and bytes around the edges of the split pattern's classes.
"""

from __future__ import annotations

__all__ = ["VERIFICATION_SAMPLE"]

_PARAGRAPHS = (
    "The quick brown fox jumps over the lazy dog. It's, I'm, we'll, they've, you'd, she's, DON'T, WE'RE.",
    "Tokenizers split text into pieces; pieces into tokens. Numbers: 0 7 42 123 1234 12345 123456789 3.14159 -0.5e-10 1,000,000.",
    "Dates 2024-06-01T12:34:56Z, phone +1 (555) 010-9999, IPv4 192.168.0.1, hex 0xDEADBEEF, e-mail a.b@example.org.",
    "    four spaces\n\ttab\t\ttabs\n\n\nthree newlines\r\nCRLF  \n  trailing   \n   \n \u00a0non-breaking\u2003em-space\u3000ideographic",
    "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)  # recursion\n",
    "for (let i = 0; i < arr.length; i++) { console.log(`${i}: ${arr[i]}`); } // JS\n<div class=\"x\">&amp;</div>",
    "SELECT name, COUNT(*) FROM users WHERE id >= 10 GROUP BY name;  -- SQL\n$ ls -la | grep '.py' && echo \"done\"",
    "Größe, naïve café, façade, Ærø, Øresund, Łódź, Škoda, İstanbul, ısı, ß ẞ, ﬁ ligature.",
    "Привет, мир! Съешь же ещё этих мягких французских булок. Україна, Беларусь, Српски.",
    "Γειά σου Κόσμε· ἐν ἀρχῇ ἦν ὁ λόγος. Ἀθῆναι.",
    "مرحبا بالعالم. السلام عليكم ورحمة الله. فارسی: سلام دنیا. اردو: ہیلو",
    "שלום עולם. עִבְרִית עם ניקוד. ‏RTL mark‏ and ‎LTR mark‎.",
    "你好，世界。我们的分词器需要处理中文。繁體中文：臺灣。日本語：こんにちは世界、カタカナ、漢字。",
    "안녕하세요 세계. 한국어 문장입니다. 가 (conjoining jamo).",
    "नमस्ते दुनिया। हिन्दी में लिखा गया वाक्य। বাংলা ভাষা। தமிழ் மொழி। తెలుగు. ಕನ್ನಡ. മലയാളം.",
    "สวัสดีชาวโลก ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ. ລາວ. ខ្មែរ. မြန်မာ.",
    "ქართული ენა. Հայերեն լեզու. አማርኛ ቋንቋ. ᏣᎳᎩ. ᐃᓄᒃᑎᑐᑦ.",
    "Emoji: 🙂 👍🏽 👩‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇯🇵 ❤️ 1️⃣ — symbols ∑∫√∞ ≤≥ ← → ™ © ® € £ ¥ ₹.",
    "Combining: e\u0301 a\u0300\u0316 n\u0303 Z\u0335\u0321\u0322a\u0337l\u0338g\u0334o\u0336. Hangul NFD: \u1100\u1161\u11a8.",
    "Digits in scripts: ١٢٣٤٥ ۱۲۳ ०१२३ ৪৫৬ ๑๒๓ 一二三 ①②③ Ⅻ ½ ¾ ²³.",
    "!!!??? ... ---- ____ **** ==== #### @@@@ $$$$ %%%% ^^^^ &&&& (((( )))) [[[[ ]]]] {{{{ }}}} |||| ~~~~",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + " " * 40 + "zzzzzzzzzzzzzzzzzzzzzz",
    "CamelCaseIdentifier snake_case_name SCREAMING_CASE kebab-case dotted.name.path mixedUPPERlower",
    "Quotes: “double” ‘single’ «guillemets» „German“ 「Japanese」 『nested』 – en dash — em dash … ellipsis",
    "Control-ish: \x00 NUL, \x07 bell, \x1b[31m ANSI \x1b[0m, \x7f DEL, \ufeff BOM, \u200b zero width, \u00ad soft hyphen",
    "Replacement and private use: \ufffd \ue000 \U0010fffd; astral: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝 𓀀 𐍈.",
)

VERIFICATION_SAMPLE: tuple[str, ...] = (*_PARAGRAPHS, "\n".join(_PARAGRAPHS))
"""The paragraphs one by one, then all of them joined (pattern edges between paragraphs)."""
