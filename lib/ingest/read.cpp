#include "befus/ingest.hpp"

#include "befus/error.hpp"
#include "befus/text.hpp"
#include "ingest/fields.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <set>

namespace befus::ingest {

namespace {

// Pieces of an input, each at most one line (ending with '\n') or what is left of the buffer.
class Pieces {
public:
  Pieces(std::istream& in, std::string name) : m_in(in), m_name(std::move(name)), m_buf(1u << 16) {}

  // Strips a UTF-8 byte order mark; refuses UTF-16 and UTF-32 input.
  void start() {
    fill();
    std::string_view head(m_buf.data() + m_pos, m_len - m_pos);
    if (util::starts_with(head, "\xEF\xBB\xBF")) {
      m_pos += 3;
      m_consumed += 3;
    } else if (util::starts_with(head, "\xFF\xFE") || util::starts_with(head, "\xFE\xFF") ||
               (head.size() >= 4 && head[0] == 0 && head[1] == 0)) {
      throw DataError({m_name, 1}, "the input is UTF-16 or UTF-32; befus reads UTF-8 only (convert it with iconv)");
    }
  }

  bool next(std::string_view& piece, bool& eol) {
    if (m_pos == m_len && !fill()) return false;
    const char* begin = m_buf.data() + m_pos;
    const void* nl = std::memchr(begin, '\n', m_len - m_pos);
    size_t n = nl ? static_cast<size_t>(static_cast<const char*>(nl) - begin) + 1 : m_len - m_pos;
    piece = std::string_view(begin, n);
    eol = nl != nullptr;
    m_pos += n;
    m_consumed += n;
    return true;
  }

  std::uint64_t consumed() const { return m_consumed; }

private:
  bool fill() {
    m_pos = m_len = 0;
    if (!m_in.good()) {
      if (m_in.bad()) throw DataError({m_name}, "cannot read the input");
      return false;
    }
    m_in.read(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
    m_len = static_cast<size_t>(m_in.gcount());
    if (m_in.bad()) throw DataError({m_name}, "cannot read the input");
    return m_len > 0;
  }

  std::istream& m_in;
  std::string m_name;
  std::vector<char> m_buf;
  size_t m_pos = 0, m_len = 0;
  std::uint64_t m_consumed = 0;
};

std::string strip_eol(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, column 5: ".
std::string json_message(const std::string& what) {
  std::string m = what;
  if (size_t close = m.find("] "); !m.empty() && m[0] == '[' && close != std::string::npos) m.erase(0, close + 2);
  if (size_t at = m.find("at line 1, "); at != std::string::npos) m.erase(at + 3, 8);
  return m;
}

class JsonlReader : public RecordReader {
public:
  JsonlReader(std::istream& in, std::string name) : m_pieces(in, std::move(name)) { m_pieces.start(); }

  bool next(RawRecord& out) override {
    std::string line;
    while (true) {
      line.clear();
      bool too_long = false, eol = false, any = false;
      std::string_view piece;
      while (m_pieces.next(piece, eol)) {
        any = true;
        if (line.size() + piece.size() > k_max_record_bytes + 2)
          too_long = true;
        else if (!too_long)
          line.append(piece);
        if (eol) break;
      }
      if (!any) return false;
      ++m_line;
      out = RawRecord{};
      out.record.line = m_line;
      if (too_long) {
        out.reasons.push_back(fmt::format("record: line longer than {} bytes", k_max_record_bytes));
        return true;
      }
      line = strip_eol(std::move(line));
      if (blank(line)) continue;
      parse(line, out);
      return true;
    }
  }

  std::uint64_t bytes_read() const override { return m_pieces.consumed(); }

private:
  static void parse(const std::string& line, RawRecord& out) {
    if (size_t bad = util::first_invalid_utf8(line); bad != std::string::npos) {
      out.reasons.push_back(fmt::format("record: not valid UTF-8 at byte {} of the line (befus reads UTF-8 only)", bad + 1));
      // The id, if it can still be made out, names the record in the report.
      nlohmann::json j = nlohmann::json::parse(util::repair_utf8(line), nullptr, false);
      if (j.is_object() && j.contains("id") && j["id"].is_string() && util::is_id(j["id"].get<std::string>()))
        out.record.id = j["id"].get<std::string>();
      return;
    }
    std::set<std::string> seen_keys;
    std::string duplicate;
    // Refuses nesting beyond a record's shape and notes keys given twice (the parser keeps the last).
    auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      if (depth > 3) throw std::length_error("values nested too deeply for a record");
      if (event == nlohmann::json::parse_event_t::key && depth == 1 && !seen_keys.insert(parsed.get<std::string>()).second &&
          duplicate.empty())
        duplicate = parsed.get<std::string>();
      return true;
    };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line, check);
    } catch (const nlohmann::json::exception& e) {
      out.reasons.push_back("record: not valid JSON: " + json_message(e.what()));
      return;
    } catch (const std::length_error& e) {
      out.reasons.push_back(std::string("record: ") + e.what());
      return;
    }
    if (!j.is_object()) {
      out.reasons.push_back("record: a line must hold one JSON object ({\"id\": ..., \"title\": ...})");
      return;
    }
    if (!duplicate.empty()) out.reasons.push_back(fmt::format("{}: given twice", duplicate));
    Record& r = out.record;
    // The id first, so a rejection can name it whatever else is wrong.
    if (auto it = j.find("id"); it != j.end() && it->is_string()) r.id = util::trim(it->get<std::string>());
    for (const auto& [key, value] : j.items()) {
      if (!detail::is_field(key)) {
        out.reasons.push_back(detail::unknown_field(key));
        continue;
      }
      if (value.is_null()) continue;
      if (value.is_string()) {
        detail::assign_text(r, key, value.get_ref<const std::string&>(), out.reasons);
      } else if (key == "year" && value.is_number_integer()) {
        detail::assign_text(r, key, value.dump(), out.reasons);
      } else if (key == "year" && value.is_number()) {
        out.reasons.push_back(fmt::format("year: {} is not a whole number", value.dump()));
      } else if (detail::is_list_field(key) && value.is_array()) {
        std::vector<std::string> items;
        bool texts = true;
        for (const auto& item : value) {
          if (!item.is_string()) {
            texts = false;
            break;
          }
          items.push_back(item.get<std::string>());
        }
        if (texts)
          detail::assign_list(r, key, items, out.reasons);
        else
          out.reasons.push_back(fmt::format("{}: must be a list of texts", key));
      } else {
        out.reasons.push_back(fmt::format("{}: must be {}", key,
                                          detail::is_list_field(key) ? "a list of texts"
                                          : key == "year"            ? "a whole number"
                                                                     : "a text"));
      }
    }
  }

  Pieces m_pieces;
  size_t m_line = 0;
};

// libcsv calls back per field and per row; rows are queued and handed out one at a time.
class CsvReader : public RecordReader {
public:
  CsvReader(std::istream& in, std::string name) : m_pieces(in, name), m_name(std::move(name)) {
    m_pieces.start();
    init_parser();
    read_header();
  }
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  bool next(RawRecord& out) override {
    while (m_rows.empty()) {
      if (!feed()) return false;
    }
    Row row = std::move(m_rows.front());
    m_rows.pop_front();
    out = RawRecord{};
    out.record.line = row.line;
    out.reasons = std::move(row.problems);
    if (out.reasons.empty() && row.fields.size() != m_columns.size())
      out.reasons.push_back(fmt::format("record: {} fields, but the header has {} columns", row.fields.size(), m_columns.size()));
    size_t id_at = m_index.at("id");
    if (id_at < row.fields.size() && util::valid_utf8(row.fields[id_at])) out.record.id = util::trim(row.fields[id_at]);
    if (!out.reasons.empty()) return true;
    for (size_t i = 0; i < row.fields.size(); ++i) detail::assign_text(out.record, m_columns[i], row.fields[i], out.reasons);
    return true;
  }

  std::uint64_t bytes_read() const override { return m_pieces.consumed(); }

private:
  struct Row {
    size_t line = 0;
    std::vector<std::string> fields;
    std::vector<std::string> problems;
  };

  static int no_space(unsigned char) { return 0; }  // RFC 4180: spaces belong to the field

  // libcsv's buffers, freed by the destructor even when the reader's constructor throws (bad header).
  struct Parser {
    csv_parser p{};
    bool live = false;
    Parser() = default;
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
    ~Parser() { reset(); }
    void reset() {
      if (live) csv_free(&p);
      live = false;
    }
  };

  void init_parser() {
    m_csv.reset();
    if (csv_init(&m_csv.p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
      throw Error("cannot start the CSV parser");
    m_csv.live = true;
    csv_set_space_func(&m_csv.p, no_space);
  }

  static void on_field(void* data, size_t len, void* self) {
    auto* me = static_cast<CsvReader*>(self);
    if (me->m_start == 0) me->m_start = me->m_line;
    me->m_row.fields.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
  }

  static void on_row(int, void* self) {
    auto* me = static_cast<CsvReader*>(self);
    me->end_row();
  }

  void end_row() {
    bool empty = std::all_of(m_row.fields.begin(), m_row.fields.end(), [](const std::string& f) { return f.empty(); });
    if (!empty) {
      m_row.line = m_start;
      m_rows.push_back(std::move(m_row));
    }
    m_row = Row{};
    m_start = 0;
  }

  // Feeds one piece of input; false at the end.
  bool feed() {
    if (m_done) return false;
    std::string_view piece;
    bool eol = false;
    if (!m_pieces.next(piece, eol)) {
      if (csv_fini(&m_csv.p, on_field, on_row, this) != 0) {
        // An opened quote was never closed: the last record runs to the end of the input.
        m_row.problems.push_back(
            fmt::format("record: a quoted field opened here is never closed (the record runs to line {})", m_line));
        m_row.line = m_start ? m_start : m_line;
        m_rows.push_back(std::move(m_row));
      }
      m_done = true;
      return !m_rows.empty();
    }
    if (m_at_line_start) {
      ++m_line;
      if (m_start == 0 && m_csv.p.pstate == 0 && !blank(piece)) m_start = m_line;
    }
    m_at_line_start = eol;
    size_t used = csv_parse(&m_csv.p, piece.data(), piece.size(), on_field, on_row, this);
    if (used != piece.size()) {
      // Strict mode stopped at a stray quote: drop the record, resume at the next line.
      Row bad;
      bad.line = m_start ? m_start : m_line;
      bad.fields = std::move(m_row.fields);  // the fields read so far may still name the record
      bad.problems.push_back(fmt::format("record: malformed CSV on line {}: a quote inside an unquoted field, or text "
                                         "after a closing quote",
                                         m_line));
      m_rows.push_back(std::move(bad));
      init_parser();
      m_row = Row{};
      m_start = 0;
      if (!eol) skip_line();
    } else if (m_csv.p.entry_pos > k_max_record_bytes) {
      throw DataError({m_name, static_cast<int>(m_start)}, fmt::format("a field is longer than {} bytes", k_max_record_bytes));
    }
    return true;
  }

  void skip_line() {
    std::string_view piece;
    bool eol = false;
    while (m_pieces.next(piece, eol))
      if (eol) break;
    m_at_line_start = true;
  }

  void read_header() {
    while (m_rows.empty() && feed()) {
    }
    if (m_rows.empty()) return;  // an empty input: no records
    Row header = std::move(m_rows.front());
    m_rows.pop_front();
    if (!header.problems.empty()) throw DataError({m_name, static_cast<int>(header.line)}, "the header row is not valid CSV");
    for (size_t i = 0; i < header.fields.size(); ++i) {
      std::string name = util::trim(header.fields[i]);
      if (!util::valid_utf8(name))
        throw DataError({m_name, static_cast<int>(header.line), static_cast<int>(i + 1)}, "header: not valid UTF-8");
      if (!detail::is_field(name))
        throw DataError({m_name, static_cast<int>(header.line), static_cast<int>(i + 1), name}, "header: " + detail::unknown_field(name));
      if (!m_index.emplace(name, i).second)
        throw DataError({m_name, static_cast<int>(header.line), static_cast<int>(i + 1), name},
                        fmt::format("header: column '{}' appears twice", name));
      m_columns.push_back(name);
    }
    for (const char* required : {"id", "title"})
      if (!m_index.count(required))
        throw DataError({m_name, static_cast<int>(header.line), 0, required},
                        fmt::format("header: no '{}' column (the header names: {})", required, util::join(m_columns, ", ")));
  }

  Pieces m_pieces;
  std::string m_name;
  Parser m_csv;
  std::vector<std::string> m_columns;
  std::map<std::string, size_t> m_index;
  std::deque<Row> m_rows;
  Row m_row;
  size_t m_line = 0;   // physical line being fed
  size_t m_start = 0;  // line where the current row started, 0 between rows
  bool m_at_line_start = true;
  bool m_done = false;
};

} // namespace

std::unique_ptr<RecordReader> open_reader(std::istream& in, Format format, std::string name) {
  if (format == Format::csv) return std::make_unique<CsvReader>(in, std::move(name));
  return std::make_unique<JsonlReader>(in, std::move(name));
}

} // namespace befus::ingest
