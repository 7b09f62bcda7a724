"""A hypothesis strategy for text that exercises every branch of the split patterns."""

from __future__ import annotations

from hypothesis import strategies as st

# Each fragment targets an alternative or a class boundary of one of the presets.
FRAGMENTS = [
    # contractions, any case, and U+017F LONG S which (?i) folds onto "s"
    "'", "'s", "'S", "'t", "'T", "'d", "'D", "'m", "'M", "'ll", "'LL", "'lL", "'re", "'RE",
    "'rE", "'ve", "'VE", "'\u017f", "\u017f", "'x", "''", "’s",
    # whitespace of every kind, runs, and the line breaks the patterns single out
    " ", "  ", "   ", "\t", "\n", "\r", "\r\n", "\n\n", " \n", "\n ", "\u00a0", "\u3000",
    "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\u200b", "\u1680", "\u202f",
    # digits of many scripts, other numbers, long runs
    "0", "7", "12", "123", "1234", "1234567", "\u0663", "\u09eb", "\u0e52", "\u2167", "\u00bd",
    "\u00b2", "\U0001d7d7", "\uff19",
    # letters of every case class: Lu, Ll, Lt, Lm, Lo, 4-byte letters, ligatures
    "a", "Z", "hello", "World", "HTTPServer", "\u00e9", "\u00c9", "\u01c5", "\u02b0", "\u4e2d",
    "\u00df", "\u0130", "\ufb01", "\U0001d400", "\u0430", "\u0416", "\u05d0", "\u0627",
    # combining marks (Mn, Mc, Me) alone and after letters
    "\u0301", "e\u0301", "E\u0301", "\u0903", "\u20dd", "\u093f",
    # punctuation and symbols, runs, slash (o200k keeps [\r\n/] after punctuation)
    "!", ".", ",", "/", "//", "-", "\u2014", "\u00ab", "$", "\u20ac", "\U0001f600", "\x00",
    "_", "...", "?!", "#", "@", "(", ")", ".\n/", "\r/",
]

hard_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
).map("".join)
