#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace befus::util {

// True when s is well-formed UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view s);
// Byte offset of the first ill-formed sequence, or npos.
size_t first_invalid_utf8(std::string_view s);
// 1-based line number of a byte offset.
int line_of(std::string_view s, size_t offset);
// Replaces every ill-formed sequence with U+FFFD.
std::string repair_utf8(std::string_view s);

// Lower-cases, removes accents and compatibility forms: "Sécurité" -> "securite".
std::string fold(std::string_view s);
// Folded words (letters and digits), in order.
std::vector<std::string> words(std::string_view s);
// Where each word (letters and digits) sits in s: byte offset and length, unfolded.
struct Span {
  size_t offset;
  size_t length;
};
std::vector<Span> word_spans(std::string_view s);
// The same words one at a time, for a scan that keeps only some of them.
class WordCursor {
public:
  explicit WordCursor(std::string_view s) : m_s(s) {}
  // The next word; false when there is none.
  bool next(Span& word);

private:
  std::string_view m_s;
  size_t m_pos = 0;
};
// Same words joined by single spaces: the key used for label look-ups.
std::string fold_phrase(std::string_view s);

// An id: letters, digits, '.', '_', '-'; starts with a letter or digit; at most 128 bytes.
bool is_id(std::string_view s);
// A taxonomy slug: lower-case ASCII letters, digits and single '-'.
bool is_slug(std::string_view s);

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view s, std::string_view prefix);

// Edit distance, for "did you mean" suggestions.
size_t levenshtein(std::string_view a, std::string_view b);
// Up to max candidates closest to wanted (ties by name), distance at most a third of its length + 2.
std::vector<std::string> closest(std::string_view wanted, const std::vector<std::string>& candidates,
                                 size_t max = 3);
// "; did you mean: a, b?" for the closest candidates, or "" when none is close.
std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& candidates);

} // namespace befus::util
