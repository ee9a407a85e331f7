#include "befus/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <numeric>

namespace befus::util {

namespace {

// Decodes one code point at i; returns -1 for an ill-formed sequence and advances past it.
int32_t next_code_point(std::string_view s, size_t& i) {
  UChar32 c;
  int32_t pos = static_cast<int32_t>(i);
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), pos, static_cast<int32_t>(s.size()), c);
  i = static_cast<size_t>(pos);
  return c;
}

// ASCII letters and digits, by table: what ICU says below 0x80.
constexpr std::array<bool, 128> k_ascii_word = [] {
  std::array<bool, 128> t{};
  for (int c = 0; c < 128; ++c) t[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return t;
}();

bool is_word_char(UChar32 c) {
  if (c < 0x80) return k_ascii_word[static_cast<size_t>(c)];
  return u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK;
}

// Whether the character at i is a word character; i moves past it (past an ill-formed sequence
// too, which is not one).
bool next_is_word(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return k_ascii_word[b];
  }
  UChar32 c = next_code_point(s, i);
  return c >= 0 && is_word_char(c);
}

// The first position at or after i whose character is a word character (word) or is not one
// (!word); the end when there is none.
size_t skip_while_not(std::string_view s, size_t i, bool word) {
  while (i < s.size()) {
    size_t at = i;
    if (next_is_word(s, i) == word) return at;
  }
  return s.size();
}

} // namespace

size_t first_invalid_utf8(std::string_view s) {
  if (s.size() > INT32_MAX) return 0;
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t start = i;
    if (next_code_point(s, i) < 0) return start;
  }
  return std::string_view::npos;
}

bool valid_utf8(std::string_view s) { return first_invalid_utf8(s) == std::string_view::npos; }

int line_of(std::string_view s, size_t offset) {
  return 1 + static_cast<int>(std::count(s.begin(), s.begin() + static_cast<long>(std::min(offset, s.size())), '\n'));
}

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out += s[i++];
      continue;
    }
    if (next_code_point(s, i) < 0)
      out += "\xEF\xBF\xBD";
    else
      out.append(s.substr(start, i - start));
  }
  return out;
}

std::string fold(std::string_view s) {
  // Fast path: plain ASCII needs only lower-casing.
  if (std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; })) {
    std::string out(s);
    for (auto& ch : out)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status)) return std::string(s);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  icu::UnicodeString decomposed = nfkd->normalize(in, status);
  if (U_FAILURE(status)) return std::string(s);
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    stripped.append(static_cast<UChar32>(u_foldCase(c, U_FOLD_CASE_DEFAULT)));
  }
  std::string out;
  stripped.toUTF8String(out);
  return out;
}

std::vector<std::string> words(std::string_view s) {
  std::string folded = fold(s);
  std::vector<std::string> out;
  WordCursor cursor(folded);
  for (Span w; cursor.next(w);) out.emplace_back(folded, w.offset, w.length);
  return out;
}

bool WordCursor::next(Span& word) {
  size_t start = skip_while_not(m_s, m_pos, true);
  if (start >= m_s.size()) {
    m_pos = m_s.size();
    return false;
  }
  m_pos = skip_while_not(m_s, start, false);
  word = {start, m_pos - start};
  return true;
}

std::vector<Span> word_spans(std::string_view s) {
  std::vector<Span> out;
  WordCursor words(s);
  for (Span w; words.next(w);) out.push_back(w);
  return out;
}

std::string fold_phrase(std::string_view s) { return join(words(s), " "); }

bool is_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  };
  if (!std::all_of(s.begin(), s.end(), ok)) return false;
  return s[0] != '.' && s[0] != '-' && s[0] != '_';
}

bool is_slug(std::string_view s) {
  if (s.empty() || s.size() > 128 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest(std::string_view wanted, const std::vector<std::string>& candidates, size_t max) {
  std::vector<std::pair<size_t, std::string>> scored;
  size_t bound = wanted.size() / 3 + 2;
  for (const auto& c : candidates) {
    size_t d = levenshtein(wanted, c);
    if (c.find(wanted) != std::string::npos && !wanted.empty()) d = std::min(d, bound);
    if (d <= bound) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < max; ++i) out.push_back(scored[i].second);
  return out;
}

std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& candidates) {
  auto near = closest(wanted, candidates);
  return near.empty() ? std::string() : "; did you mean: " + join(near, ", ") + "?";
}

} // namespace befus::util
