#include "befus/ingest.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/text.hpp"
#include "ingest/fields.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace befus::ingest {

namespace {

bool ascii_alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Code points YAML may read as line breaks, spaces or a byte order mark: quoted and escaped.
constexpr std::string_view k_risky[] = {"\xC2\x85", "\xC2\xA0", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xEF\xBB\xBF"};

bool looks_like_number(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E' || c == '_'; });
}

// Words a YAML reader (1.1 or 1.2) would take for null or a boolean.
bool reserved_word(std::string_view s) {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* w : {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"})
    if (l == w) return true;
  return false;
}

// A plain (unquoted) scalar reads back as exactly this text; flow lists also forbid , [ ] { }.
bool plain_safe(std::string_view s, bool in_flow) {
  if (s.empty() || s.size() > 1024) return false;
  auto first = static_cast<unsigned char>(s.front());
  if (!(ascii_alnum(first) || first >= 0xC2)) return false;
  if (s.back() == ' ') return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || ascii_alnum(c)) continue;
    switch (c) {
      case ' ': case '.': case '_': case '-': case '(': case ')': case '/': case '\'': case '!':
      case '+': case '=': case '@': case '&': case '%': case ';': case '$': case '*': case '<': case '>':
      case '^': case '|': case '~':
        continue;
      case ',':
      case '?':  // yaml-cpp 0.7 takes '?' inside a flow list for a key indicator ("unknown token")
        if (in_flow) return false;
        continue;
      default:
        return false;  // : # " \ ` [ ] { } control characters
    }
  }
  for (auto risky : k_risky)
    if (s.find(risky) != std::string_view::npos) return false;
  return !reserved_word(s) && !looks_like_number(s);
}

// A double-quoted scalar with every character YAML could misread escaped.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02X}", c);
      continue;
    }
    bool escaped = false;
    for (auto risky : k_risky)
      if (s.substr(i, risky.size()) == risky) {
        unsigned code = risky.size() == 2 ? ((static_cast<unsigned char>(risky[0]) & 0x1F) << 6) | (static_cast<unsigned char>(risky[1]) & 0x3F)
                                          : ((static_cast<unsigned char>(risky[0]) & 0x0F) << 12) |
                                                ((static_cast<unsigned char>(risky[1]) & 0x3F) << 6) |
                                                (static_cast<unsigned char>(risky[2]) & 0x3F);
        out += fmt::format("\\u{:04X}", code);
        i += risky.size() - 1;
        escaped = true;
        break;
      }
    if (!escaped) out += static_cast<char>(c);
  }
  out += '"';
  return out;
}

std::string scalar(std::string_view s, bool in_flow) { return plain_safe(s, in_flow) ? std::string(s) : quoted(s); }

std::string emit(const nlohmann::json& v, bool in_flow) {
  switch (v.type()) {
    case nlohmann::json::value_t::string: return scalar(v.get_ref<const std::string&>(), in_flow);
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + emit(v[i], true);
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        out += (first ? "" : ", ") + scalar(k, true) + ": " + emit(x, true);
        first = false;
      }
      return out + "}";
    }
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    default: return v.dump();
  }
}

std::string line_for(const std::string& key, const nlohmann::json& value) {
  // A year stays a bare number, however it was read.
  if (key == "year" && value.is_string() && !value.get_ref<const std::string&>().empty() &&
      std::all_of(value.get_ref<const std::string&>().begin(), value.get_ref<const std::string&>().end(),
                  [](char c) { return c >= '0' && c <= '9'; }))
    return "year: " + value.get<std::string>() + "\n";
  return scalar(key, false) + ": " + emit(value, false) + "\n";
}

const std::string& text_of(const Record& r, std::string_view key) {
  static const std::string none;
  if (key == "id") return r.id;
  if (key == "title") return r.title;
  if (key == "lang") return r.lang;
  if (key == "type") return r.type;
  if (key == "why") return r.why;
  if (key == "url") return r.url;
  if (key == "problem") return r.problem;
  if (key == "mechanism") return r.mechanism;
  if (key == "evidence") return r.evidence;
  if (key == "body") return r.body;
  if (key == "path") return r.path;
  return none;
}

const std::vector<std::string>& list_of(const Record& r, std::string_view key) {
  static const std::vector<std::string> none;
  if (key == "partners") return r.partners;
  if (key == "themes") return r.themes;
  if (key == "target") return r.target;
  return none;
}

std::string normalised_body(const std::string& body) {
  if (body.empty() || body.back() == '\n') return body;
  return body + '\n';
}

std::string csv_cell(const std::string& s) {
  bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
               (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t'));
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

} // namespace

std::string front_matter(const nlohmann::json& fields) {
  std::string out;
  for (const auto& key : k_fields)
    if (auto it = fields.find(key); it != fields.end()) out += line_for(key, *it);
  for (const auto& [key, value] : fields.items())
    if (!detail::is_field(key)) out += line_for(key, value);
  return out;
}

namespace {

// The record's present fields into a JSON object of either kind, in k_fields order; body and path
// only when files is set.
template <typename Json>
void put_fields(const Record& r, Json& out, bool files) {
  for (const auto& key : k_fields) {
    if (!files && (key == "body" || key == "path")) continue;
    if (key == "year") {
      if (r.year) out["year"] = r.year;
    } else if (detail::is_list_field(key)) {
      if (!list_of(r, key).empty()) out[key] = list_of(r, key);
    } else if (!text_of(r, key).empty()) {
      out[key] = text_of(r, key);
    }
  }
}

} // namespace

nlohmann::json metadata_of(const Record& r, const nlohmann::json& kept) {
  nlohmann::json out = kept.is_object() ? kept : nlohmann::json::object();
  put_fields(r, out, false);
  return out;
}

std::string render_markdown(const Record& r, const nlohmann::json& kept) {
  return "---\n" + front_matter(metadata_of(r, kept)) + "---\n" + normalised_body(r.body);
}

std::optional<ParsedFile> parse_markdown(std::string_view bytes, const std::string& shown) {
  if (util::starts_with(bytes, "\xEF\xBB\xBF")) return std::nullopt;
  corpus::FrontMatter fm = corpus::split_front_matter(bytes);
  if (!fm.present) return std::nullopt;
  nlohmann::json meta;
  try {
    meta = corpus::parse_metadata(fm.yaml, shown, fm.yaml_first_line);
  } catch (const DataError&) {
    return std::nullopt;
  }
  ParsedFile pf;
  std::vector<std::string> problems;
  for (const auto& [key, value] : meta.items()) {
    if (key == "body" || key == "path") return std::nullopt;
    if (!detail::is_field(key)) {
      pf.kept[key] = value;
      continue;
    }
    if (value.is_string()) {
      detail::assign_text(pf.record, key, value.get_ref<const std::string&>(), problems);
    } else if (key == "year" && value.is_number_integer()) {
      pf.record.year = value.get<int>();
    } else if (detail::is_list_field(key) && value.is_array() &&
               std::all_of(value.begin(), value.end(), [](const nlohmann::json& x) { return x.is_string(); })) {
      detail::assign_list(pf.record, key, value.get<std::vector<std::string>>(), problems);
    } else {
      return std::nullopt;
    }
  }
  if (!problems.empty()) return std::nullopt;
  std::string body(bytes.substr(fm.body_offset));
  detail::assign_text(pf.record, "body", body, problems);
  if (!problems.empty()) return std::nullopt;
  return pf;
}

std::string to_jsonl(const Record& r) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();  // {} even for a record with no fields
  put_fields(r, j, true);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string csv_header() { return util::join(k_fields, ",") + "\n"; }

std::string to_csv(const Record& r) {
  std::vector<std::string> cells;
  for (const auto& key : k_fields) {
    if (key == "year")
      cells.push_back(r.year ? std::to_string(r.year) : "");
    else if (detail::is_list_field(key))
      cells.push_back(csv_cell(util::join(list_of(r, key), "; ")));
    else
      cells.push_back(csv_cell(text_of(r, key)));
  }
  return util::join(cells, ",") + "\n";
}

} // namespace befus::ingest
