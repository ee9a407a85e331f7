#include "befus/rewrite.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <random>

namespace befus::corpus {

namespace {

const std::string k_key = "themes";
constexpr std::string_view k_bom = "\xEF\xBB\xBF";

// One line of a text: [begin, end) without its terminator, next is where the following line starts.
struct Line {
  size_t begin, end, next;
};

std::vector<Line> lines_in(std::string_view s, size_t from, size_t to) {
  std::vector<Line> out;
  size_t pos = from;
  while (pos < to) {
    size_t nl = s.find('\n', pos);
    size_t next = (nl == std::string_view::npos || nl >= to) ? to : nl + 1;
    size_t end = (nl == std::string_view::npos || nl >= to) ? to : nl;
    if (end > pos && s[end - 1] == '\r') --end;
    out.push_back({pos, end, next});
    pos = next;
  }
  return out;
}

std::string_view text_of(std::string_view s, const Line& l) { return s.substr(l.begin, l.end - l.begin); }

size_t indent_of(std::string_view l) {
  size_t i = 0;
  while (i < l.size() && l[i] == ' ') ++i;
  return i;
}

bool blank_or_comment(std::string_view l) {
  size_t i = 0;
  while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
  return i == l.size() || l[i] == '#';
}

bool is_marker(std::string_view l) {
  return l.rfind("---", 0) == 0 || l.rfind("...", 0) == 0 || l.rfind("%", 0) == 0;
}

bool is_item(std::string_view l, size_t indent) {
  return l.size() > indent && l[indent] == '-' && (l.size() == indent + 1 || l[indent + 1] == ' ' || l[indent + 1] == '\t');
}

// Where a comment starts on a line (from `from`), quotes respected; npos when none.
size_t comment_at(std::string_view l, size_t from) {
  char quote = 0;
  for (size_t i = from; i < l.size(); ++i) {
    char c = l[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if ((c == '"' || c == '\'') && (i == from || l[i - 1] == ' ' || l[i - 1] == '[' || l[i - 1] == ',')) quote = c;
    else if (c == '#' && (i == from || l[i - 1] == ' ' || l[i - 1] == '\t')) return i;
  }
  return std::string_view::npos;
}

// Offset just past the ':' when the line holds the top-level key, else npos.
size_t key_colon(std::string_view l, size_t indent, std::string_view key) {
  if (indent_of(l) != indent) return std::string_view::npos;
  for (const std::string& spelling : {std::string(key), "\"" + std::string(key) + "\"", "'" + std::string(key) + "'"}) {
    if (l.substr(indent, spelling.size()) != spelling) continue;
    size_t q = indent + spelling.size();
    while (q < l.size() && (l[q] == ' ' || l[q] == '\t')) ++q;
    if (q < l.size() && l[q] == ':' && (q + 1 == l.size() || l[q + 1] == ' ' || l[q + 1] == '\t')) return q + 1;
  }
  return std::string_view::npos;
}

std::string eol_of(std::string_view s) {
  size_t nl = s.find('\n');
  return (nl != std::string_view::npos && nl > 0 && s[nl - 1] == '\r') ? "\r\n" : "\n";
}

bool plain_safe(const std::string& v) {
  if (v.empty()) return false;
  static const char* const k_special[] = {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"};
  std::string low = util::fold(v);
  for (const char* s : k_special)
    if (low == s) return false;
  if (!std::isalnum(static_cast<unsigned char>(v[0]))) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string quoted(const std::string& v, char style) {
  if (style == '\'') {
    std::string out = "'";
    for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  if (style == 0 && plain_safe(v)) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string flow_list(const std::vector<std::string>& themes, char style = 0, bool padded = false) {
  std::vector<std::string> parts;
  for (const auto& t : themes) parts.push_back(quoted(t, style));
  if (parts.empty()) return "[]";
  std::string pad = padded ? " " : "";
  return "[" + pad + util::join(parts, ", ") + pad + "]";
}

// A list field as the loader reads it: a list, or one text split on ';' or ','.
std::optional<std::vector<std::string>> as_list(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  std::vector<std::string> out;
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    for (auto& part : util::split(s, s.find(';') != std::string::npos ? ';' : ','))
      if (auto t = util::trim(part); !t.empty()) out.push_back(t);
    return out;
  }
  if (j.is_array())
    for (const auto& v : j) out.push_back(v.is_string() ? util::trim(v.get<std::string>()) : v.dump());
  return out;
}

// The metadata part of a text: its offsets, and whether Markdown front matter exists.
struct Region {
  size_t bom = 0;       // 3 when the text starts with a byte-order mark
  bool present = true;  // false: Markdown without front matter
  size_t begin = 0, end = 0;
};

Region region_of(std::string_view text, MetadataText kind) {
  Region r;
  if (text.substr(0, 3) == k_bom) r.bom = 3;
  if (kind == MetadataText::yaml) {
    r.begin = r.bom;
    r.end = text.size();
    return r;
  }
  FrontMatter fm = split_front_matter(text);
  if (!fm.present) {
    r.present = false;
    r.begin = r.end = r.bom;
    return r;
  }
  size_t nl = text.find('\n', r.bom);
  r.begin = nl + 1;
  r.end = r.begin + fm.yaml.size();
  return r;
}

struct Splice {
  size_t begin, end;
  std::string with;
};

class Editor {
public:
  Editor(std::string_view text, const Region& r, std::string file)
      : m_text(text), m_region(r), m_file(std::move(file)), m_eol(eol_of(text)) {
    m_lines = lines_in(text, r.begin, r.end);
    m_top = std::string_view::npos;
    for (const auto& l : m_lines) {
      std::string_view s = text_of(m_text, l);
      if (blank_or_comment(s) || is_marker(s)) continue;
      m_top = indent_of(s);
      break;
    }
    if (m_top == std::string_view::npos) m_top = 0;
  }

  Splice edit(const std::vector<std::string>& themes) {
    std::vector<size_t> found = find_key(k_key);
    if (found.size() > 1)
      throw DataError({m_file, line_no(found[1]), 1, k_key}, "the key 'themes' appears more than once");
    if (found.empty()) return insert(themes);
    return replace(found.front(), themes);
  }

private:
  int line_no(size_t i) const { return util::line_of(m_text, m_lines[i].begin); }

  std::vector<size_t> find_key(std::string_view key) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < m_lines.size(); ++i)
      if (key_colon(text_of(m_text, m_lines[i]), m_top, key) != std::string_view::npos) out.push_back(i);
    return out;
  }

  // The last line that still belongs to the value of the key on line k.
  size_t value_end(size_t k) const {
    size_t last = k;
    for (size_t j = k + 1; j < m_lines.size(); ++j) {
      std::string_view s = text_of(m_text, m_lines[j]);
      if (blank_or_comment(s)) continue;
      if (indent_of(s) > m_top || is_item(s, m_top)) {
        last = j;
        continue;
      }
      break;
    }
    return last;
  }

  Splice insert(const std::vector<std::string>& themes) {
    if (themes.empty()) return {0, 0, {}};  // no key and nothing to write: already right
    std::string entry = std::string(m_top, ' ') + k_key + ": " + flow_list(themes);
    size_t at = m_region.end;
    std::vector<size_t> type = find_key("type");
    if (type.size() == 1) at = m_lines[value_end(type.front())].next;
    if (!m_region.present) {
      // A Markdown file without front matter gets one.
      return {at, at, "---" + m_eol + entry + m_eol + "---" + m_eol};
    }
    if (at > m_region.begin && m_text[at - 1] != '\n') return {at, at, m_eol + entry};
    return {at, at, entry + m_eol};
  }

  Splice replace(size_t k, const std::vector<std::string>& themes) {
    std::string_view key_line = text_of(m_text, m_lines[k]);
    size_t colon = key_colon(key_line, m_top, k_key);
    size_t v = colon;
    while (v < key_line.size() && (key_line[v] == ' ' || key_line[v] == '\t')) ++v;
    size_t comment = comment_at(key_line, v);
    size_t vend = comment == std::string_view::npos ? key_line.size() : comment;
    while (vend > v && (key_line[vend - 1] == ' ' || key_line[vend - 1] == '\t')) --vend;
    std::string_view inline_value = key_line.substr(v, vend - v);
    size_t last = value_end(k);
    size_t line_begin = m_lines[k].begin;

    if (!inline_value.empty() && inline_value.front() == '[') return replace_flow(line_begin + v, themes);
    if (!inline_value.empty() && std::string_view("&!*{").find(inline_value.front()) != std::string_view::npos)
      throw DataError({m_file, line_no(k), static_cast<int>(v) + 1, k_key},
                      "the themes value uses an anchor, tag, alias or mapping; edit it by hand");
    if (inline_value.empty() && last > k && items_only(k, last)) return replace_block(k, last, colon, themes);
    // A scalar, null or block text: the whole value becomes a flow list.
    if (inline_value.empty() && last == k) return {line_begin + colon, line_begin + colon, " " + flow_list(themes)};
    size_t end = last == k ? line_begin + vend : m_lines[last].end;
    size_t begin = inline_value.empty() ? line_begin + colon : line_begin + v;
    return {begin, end, (inline_value.empty() ? " " : "") + flow_list(themes)};
  }

  bool items_only(size_t k, size_t last) const {
    size_t item_indent = std::string_view::npos;
    for (size_t j = k + 1; j <= last; ++j) {
      std::string_view s = text_of(m_text, m_lines[j]);
      if (blank_or_comment(s)) continue;
      if (item_indent == std::string_view::npos) item_indent = indent_of(s);
      if (indent_of(s) != item_indent || !is_item(s, item_indent)) return false;
      std::string after = util::trim(s.substr(item_indent + 1));
      if (!after.empty() && (after.front() == '-' || after.front() == '[' || after.front() == '{' ||
                             after.front() == '|' || after.front() == '>'))
        return false;
    }
    return item_indent != std::string_view::npos;
  }

  Splice replace_flow(size_t open, const std::vector<std::string>& themes) {
    char quote = 0;
    size_t close = std::string_view::npos;
    char first_quote = 0;
    bool seen_item = false;
    for (size_t i = open + 1; i < m_region.end; ++i) {
      char c = m_text[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        if (!seen_item) first_quote = c;
      }
      if (c == ']') {
        close = i;
        break;
      }
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') seen_item = true;
    }
    if (close == std::string_view::npos)
      throw DataError({m_file, util::line_of(m_text, open), 0, k_key}, "the themes list is not closed with ']'");
    bool padded = open + 1 < close && m_text[open + 1] == ' ' && m_text[close - 1] == ' ';
    return {open, close + 1, flow_list(themes, first_quote, padded)};
  }

  Splice replace_block(size_t k, size_t last, size_t colon, const std::vector<std::string>& themes) {
    struct Item {
      std::string_view text;  // the whole line
      std::string value;
      std::string prefix;     // indentation, dash and spacing
      char quote = 0;
    };
    std::vector<Item> items;
    for (size_t j = k + 1; j <= last; ++j) {
      std::string_view s = text_of(m_text, m_lines[j]);
      if (blank_or_comment(s)) continue;
      size_t ind = indent_of(s);
      size_t p = ind + 1;
      while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
      size_t c = comment_at(s, p);
      std::string raw = util::trim(s.substr(p, (c == std::string_view::npos ? s.size() : c) - p));
      Item it{s, raw, std::string(s.substr(0, p == s.size() ? ind + 1 : p)), 0};
      if (it.prefix.size() == ind + 1) it.prefix += ' ';
      if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
        it.quote = raw.front();
        it.value = raw.substr(1, raw.size() - 2);
      }
      items.push_back(it);
    }
    const std::string& eol = m_eol;
    size_t begin = m_lines[k + 1].begin;
    size_t end = m_lines[last].next;
    bool last_has_eol = end > begin && m_text[end - 1] == '\n';
    std::string key_fix;
    if (themes.empty()) key_fix = " []";
    std::string out;
    size_t slot = 0;
    auto line_for = [&](const std::string& theme, const Item& at) {
      for (const auto& it : items)
        if (it.value == theme) return std::string(it.text);
      return at.prefix + quoted(theme, items.front().quote);
    };
    for (size_t j = k + 1; j <= last; ++j) {
      const Line& l = m_lines[j];
      std::string_view s = text_of(m_text, l);
      std::string term(m_text.substr(l.end, l.next - l.end));
      if (blank_or_comment(s)) {
        out += std::string(s) + term;
        continue;
      }
      const Item& here = items[slot];
      bool last_slot = slot + 1 == items.size();
      if (slot < themes.size()) {
        out += line_for(themes[slot], here);
        if (last_slot && themes.size() > items.size()) {
          for (size_t extra = items.size(); extra < themes.size(); ++extra)
            out += eol + line_for(themes[extra], here);
        }
        out += term;
      }
      ++slot;
    }
    size_t at = begin;
    if (!key_fix.empty()) {
      // The key line gets the empty list; the item lines go.
      at = m_lines[k].begin + colon;
      out = key_fix + std::string(m_text.substr(at, begin - at)) + out;
    }
    // A dropped last line took the text's final terminator with it; keep "no newline at the end" true.
    if (!last_has_eol) {
      if (out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0) out.erase(out.size() - 2);
      else if (!out.empty() && out.back() == '\n') out.pop_back();
    }
    return {at, end, out};
  }

  std::string_view m_text;
  Region m_region;
  std::string m_file;
  std::string m_eol;
  std::vector<Line> m_lines;
  size_t m_top = 0;
};

nlohmann::json metadata_of(std::string_view text, MetadataText kind, const std::string& file) {
  Region r = region_of(text, kind);
  if (!r.present) return nlohmann::json::object();
  int first_line = util::line_of(text, r.begin);
  return parse_metadata(text.substr(r.begin, r.end - r.begin), file, first_line);
}

} // namespace

std::string set_themes(std::string_view text, MetadataText kind, const std::vector<std::string>& themes,
                       const std::string& file) {
  Region r = region_of(text, kind);
  nlohmann::json before = metadata_of(text, kind, file);
  if (!before.is_object()) throw DataError({file, 1, 1}, "metadata must be a mapping of fields");
  auto current = before.contains(k_key) ? as_list(before[k_key]) : std::nullopt;
  if (current ? *current == themes : themes.empty()) return std::string(text);  // already right: no bytes change
  Splice sp = Editor(text, r, file).edit(themes);
  std::string out;
  out.reserve(text.size() + sp.with.size());
  out.append(text.substr(0, sp.begin));
  out.append(sp.with);
  out.append(text.substr(sp.end));

  // The edit must change exactly the themes: parse again and compare every other field.
  nlohmann::json after;
  try {
    after = metadata_of(out, kind, file);
  } catch (const DataError& e) {
    throw DataError({file, 0, 0, k_key}, fmt::format("editing the themes would break the metadata ({}); edit it by hand",
                                                     e.bare_message()));
  }
  auto got = after.contains(k_key) ? as_list(after[k_key]) : std::nullopt;
  std::vector<std::string> want = themes;
  bool themes_ok = got ? *got == want : want.empty();
  before.erase(k_key);
  after.erase(k_key);
  if (!themes_ok || before != after)
    throw DataError({file, 0, 0, k_key}, "the themes could not be changed without touching other fields; edit it by hand");
  return out;
}

std::optional<std::vector<std::string>> read_themes(std::string_view text, MetadataText kind, const std::string& file) {
  nlohmann::json meta = metadata_of(text, kind, file);
  if (!meta.is_object() || !meta.contains(k_key)) return std::nullopt;
  return as_list(meta[k_key]);
}

ThemesHome themes_home(const fs::path& document) {
  fs::path side = sidecar_of(document);
  std::error_code ec;
  bool side_exists = fs::is_regular_file(side, ec);
  std::string ext = document.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool markdown = ext == ".md" || ext == ".markdown";
  if (!markdown) return {side, MetadataText::yaml, side_exists};
  if (side_exists) {
    std::string yaml = util::read_file(side, 1u << 20);
    nlohmann::json meta = metadata_of(yaml, MetadataText::yaml, side.string());
    if (meta.is_object() && meta.contains(k_key)) return {side, MetadataText::yaml, true};
  }
  return {document, MetadataText::markdown, true};
}

FileEdit plan_themes_edit(const fs::path& document, const std::vector<std::string>& themes) {
  ThemesHome home = themes_home(document);
  FileEdit e;
  e.path = home.file;
  e.document = document;
  e.existed = home.exists;
  if (home.exists) e.before = util::read_file(home.file, home.kind == MetadataText::yaml ? 1u << 20 : k_max_file_bytes);
  e.after = set_themes(e.before, home.kind, themes, home.file.string());
  if (!home.exists && e.after.empty()) e.existed = true;  // nothing to create
  return e;
}

WriteOutcome write_if_unchanged(const fs::path& path, bool expect_exists, std::string_view expected,
                                std::string_view content) {
  struct stat st {};
  mode_t mode = 0644;
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  std::random_device rd;
  fs::path tmp = path;
  tmp += fmt::format(".befus-tmp-{:x}", rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(fmt::format("{}: cannot write: {}", tmp.string(), std::strerror(errno)));
  auto fail = [&](const char* what) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: {}: {}", path.string(), what, std::strerror(e)));
  };
  if (!util::write_all(fd, content)) fail("cannot write");
  if (::fchmod(fd, mode) != 0) fail("cannot set the mode");
  if (::fsync(fd) != 0) fail("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: cannot close: {}", path.string(), std::strerror(errno)));
  }
  // Right before the rename: is the file still what was read?
  bool same = false;
  if (expect_exists) {
    try {
      same = util::read_file(path, std::max<std::uintmax_t>(expected.size() + 1, 1)) == expected;
    } catch (const DataError&) {
      same = false;  // gone, or grown past what was read
    }
    if (same && ::rename(tmp.c_str(), path.c_str()) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      throw Error(fmt::format("{}: cannot replace: {}", path.string(), std::strerror(e)));
    }
  } else {
    // link() refuses to replace: creating a file that appeared meanwhile is a conflict.
    same = ::link(tmp.c_str(), path.c_str()) == 0;
    if (!same && errno != EEXIST) {
      int e = errno;
      ::unlink(tmp.c_str());
      throw Error(fmt::format("{}: cannot create: {}", path.string(), std::strerror(e)));
    }
    ::unlink(tmp.c_str());
  }
  if (!same) {
    ::unlink(tmp.c_str());
    return WriteOutcome::conflict;
  }
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return WriteOutcome::written;
}

WriteOutcome remove_if_unchanged(const fs::path& path, std::string_view expected) {
  std::string now;
  try {
    now = util::read_file(path, expected.size() + 1);
  } catch (const DataError&) {
    return WriteOutcome::conflict;
  }
  if (now != expected) return WriteOutcome::conflict;
  if (::unlink(path.c_str()) != 0) throw Error(fmt::format("{}: cannot remove: {}", path.string(), std::strerror(errno)));
  return WriteOutcome::written;
}

std::string line_diff(std::string_view before, std::string_view after) {
  if (before == after) return {};
  auto split_lines = [](std::string_view s) {
    std::vector<std::string_view> out;
    for (const auto& l : lines_in(s, 0, s.size())) out.push_back(s.substr(l.begin, l.end - l.begin));
    return out;
  };
  auto a = split_lines(before), b = split_lines(after);
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  size_t ctx_before = head > 0 ? 1 : 0;
  size_t ctx_after = tail > 0 ? 1 : 0;
  size_t from = head - ctx_before;
  std::string out = fmt::format("@@ -{},{} +{},{} @@\n", from + 1, a.size() - head - tail + ctx_before + ctx_after,
                                from + 1, b.size() - head - tail + ctx_before + ctx_after);
  if (ctx_before) out += fmt::format(" {}\n", a[from]);
  for (size_t i = head; i < a.size() - tail; ++i) out += fmt::format("-{}\n", a[i]);
  for (size_t i = head; i < b.size() - tail; ++i) out += fmt::format("+{}\n", b[i]);
  if (ctx_after) out += fmt::format(" {}\n", a[a.size() - tail]);
  // A change of the final newline alone shows as a note.
  bool nl_a = !before.empty() && before.back() == '\n', nl_b = !after.empty() && after.back() == '\n';
  if (nl_a != nl_b) out += "\\ newline at end of file changed\n";
  return out;
}

} // namespace befus::corpus
