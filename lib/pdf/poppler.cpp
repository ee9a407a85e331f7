// Text from PDFs with poppler-cpp. Only befus-pdf-text (lib/pdf/main.cpp) and the fuzz target
// link this: befus itself runs that helper per PDF (corpus/extract.cpp), so a PDF bomb, a poppler
// crash or a hang costs one child process, and befus never loads poppler at all.
#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/text.hpp"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>

namespace befus::corpus {

Extracted extract_pdf_in_process(std::string_view bytes) {
  static std::once_flag quiet;
  // Poppler prints its complaints on stderr; befus reports failures itself.
  std::call_once(quiet, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
  if (bytes.size() > INT32_MAX) throw DataError({}, "PDF too large");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) throw DataError({}, "PDF could not be opened (damaged or not a PDF)");
  if (doc->is_locked()) throw DataError({}, "PDF is encrypted");
  Extracted e;
  int pages = doc->pages();
  constexpr int k_max_pages = 5000;
  for (int i = 0; i < pages && i < k_max_pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();
    e.text.append(utf8.begin(), utf8.end());
    e.text += "\n\n";
    if (e.text.size() > (32u << 20)) break;  // a PDF bomb stops here
  }
  poppler::byte_array title = doc->get_title().to_utf8();
  e.title = util::trim(std::string(title.begin(), title.end()));
  e.text = extract_text(util::repair_utf8(e.text)).text;
  return e;
}

} // namespace befus::corpus
