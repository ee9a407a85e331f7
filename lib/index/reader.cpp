#include "befus/index.hpp"

#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"

namespace befus::index {

Reader::Reader(const std::string& location, double timeout_seconds) : m_impl(std::make_unique<Impl>()) {
  m_impl->location = location;
  m_impl->timeout = timeout_seconds;
  m_impl->db = open_readable(location, timeout_seconds);
}

Reader::~Reader() = default;
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;

namespace {

template <typename Fn>
auto guarded(Reader::Impl& impl, Fn&& fn) -> decltype(fn()) {
  try {
    return with_retry(impl.db, fn);
  } catch (const Xapian::Error& e) {
    translate(e, impl.location);
  }
}

} // namespace

size_t Reader::document_count() const {
  return guarded(*m_impl, [&] { return static_cast<size_t>(m_impl->db.get_doccount()); });
}

std::optional<nlohmann::json> Reader::get(const std::string& id) const {
  return guarded(*m_impl, [&]() -> std::optional<nlohmann::json> {
    std::string term = schema::bounded(schema::k_id, id);
    auto it = m_impl->db.postlist_begin(term);
    if (it == m_impl->db.postlist_end(term)) return std::nullopt;
    return schema::parse_data(m_impl->db.get_document(*it).get_data(), true);
  });
}

std::vector<nlohmann::json> Reader::all(bool with_text) const {
  return guarded(*m_impl, [&] {
    std::vector<nlohmann::json> out;
    for (auto it = m_impl->db.postlist_begin(""); it != m_impl->db.postlist_end(""); ++it)
      out.push_back(schema::parse_data(m_impl->db.get_document(*it).get_data(), with_text));
    return out;
  });
}

std::vector<std::string> Reader::ids_with_term(const std::string& term) const {
  return guarded(*m_impl, [&] {
    std::vector<std::string> out;
    for (auto it = m_impl->db.postlist_begin(term); it != m_impl->db.postlist_end(term); ++it)
      out.push_back(m_impl->db.get_document(*it).get_value(schema::k_slot_id));
    return out;
  });
}

std::vector<nlohmann::json> Reader::documents_with_term(const std::string& term) const {
  return guarded(*m_impl, [&] {
    std::vector<nlohmann::json> out;
    for (auto it = m_impl->db.postlist_begin(term); it != m_impl->db.postlist_end(term); ++it)
      out.push_back(schema::parse_data(m_impl->db.get_document(*it).get_data(), false));
    return out;
  });
}

std::string Reader::metadata(const std::string& key) const {
  return guarded(*m_impl, [&]() -> std::string {
    try {
      return m_impl->db.get_metadata(key);
    } catch (const Xapian::UnimplementedError&) {
      return {};  // remote databases carry no metadata
    }
  });
}

std::map<std::string, long> Reader::term_counts(const std::string& prefix) const {
  return guarded(*m_impl, [&] {
    std::map<std::string, long> out;
    for (auto it = m_impl->db.allterms_begin(prefix); it != m_impl->db.allterms_end(prefix); ++it)
      out[(*it).substr(prefix.size())] = it.get_termfreq();
    return out;
  });
}

std::map<std::string, std::string> Reader::signatures() const {
  return guarded(*m_impl, [&] {
    std::map<std::string, std::string> out;
    for (auto it = m_impl->db.postlist_begin(""); it != m_impl->db.postlist_end(""); ++it) {
      Xapian::Document d = m_impl->db.get_document(*it);
      out[d.get_value(schema::k_slot_path)] = d.get_value(schema::k_slot_signature);
    }
    return out;
  });
}

} // namespace befus::index
