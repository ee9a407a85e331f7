#pragma once

#include "befus/corpus.hpp"
#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "befus/rewrite.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Theme suggestion with its evidence, evaluation, and reclassification after a change of the tree.
namespace befus::classify {

namespace fs = std::filesystem;

// The kinds of evidence a suggestion may rest on (evaluation switches them off one by one).
struct Evidence {
  bool labels = true;      // the tree's labels and alt labels found in the text
  bool keywords = true;    // the tree's keywords found in the text
  bool neighbours = true;  // votes of the most similar classified documents (needs an index)
  bool hierarchy = true;   // a subtheme's evidence supports its theme
};

struct Options {
  size_t top = 5;           // suggestions kept per document
  size_t neighbours = 10;   // similar documents that vote
  Evidence evidence;
};

// A label, alt label or keyword of a node found in the document.
struct Match {
  std::string phrase;  // as the tree writes it
  std::string kind;    // label, alt or keyword
  std::string lang;    // the language of the phrase
  int title = 0;       // occurrences in the title
  int body = 0;        // occurrences in the rest of the text
};

// A classified document that voted, with its similarity relative to the nearest one (1.0).
struct Voter {
  std::string id;
  std::string title;
  double similarity = 0;
};

struct Suggestion {
  std::string id;
  double score = 0;       // 0..1, what --min-score compares with
  double lexical = 0;     // 0..1, from the tree's words
  double neighbours = 0;  // 0..1, share of the neighbours' votes
  double inherited = 0;   // support passed up from subthemes
  std::vector<Match> matches;
  std::vector<Voter> voters;
  std::vector<std::string> children;  // subthemes whose evidence was passed up
};

struct Result {
  std::string id, title, lang, path;
  std::vector<std::string> themes;      // written in the document now
  std::vector<Suggestion> suggestions;  // best first
  std::string passage;                  // where the evidence is densest; matches between \x01 and \x02
  std::vector<std::string> notes;       // e.g. "no index: the tree's words only"
};

// Suggests themes from the tree's words in the document and from the classified documents nearest to it.
class Classifier {
public:
  // reader may be null (or the index empty): then only the tree's words count.
  Classifier(const taxonomy::Taxonomy& t, std::vector<std::string> languages, const index::Reader* reader,
             Options options = {});
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // A document read from its file; it never votes for itself, even when it is in the index.
  Result classify(const corpus::Document& d) const;
  // A document of the index, by id; throws NotFoundError.
  Result classify_id(const std::string& id) const;
  // Scores for the given nodes only (every one of them, best first), e.g. the heirs of a split node.
  Result classify_among(const corpus::Document& d, const std::vector<std::string>& candidates) const;
  // Ids of the indexed documents without a theme.
  std::vector<std::string> unclassified_ids() const;
  bool has_neighbours() const;

  struct Impl;

private:
  std::unique_ptr<Impl> m;
};

// Figures of one configuration over the evaluated documents (means over documents).
struct Metrics {
  double p1 = 0, p3 = 0, p5 = 0;
  double r1 = 0, r3 = 0, r5 = 0;
  double f1_1 = 0, f1_3 = 0, f1_5 = 0;
  double ndcg5 = 0;
  double hf1_5 = 0;
  nlohmann::json to_json() const;  // keys "p@1", "p@3", "p@5", "r@1", "r@3", "r@5", "f1@1", ..., "ndcg@5", "hf1@5"
};

struct ThemeFigures {
  std::string id;
  size_t support = 0;    // documents classified under it by hand
  size_t predicted = 0;  // documents it was suggested for (in the top `at`)
  size_t correct = 0;
  double precision = 0, recall = 0, f1 = 0;
};

// Share of suggestions that were right, per score band: how far --min-score can be trusted.
struct Band {
  double from = 0, to = 0;
  size_t suggestions = 0, correct = 0;
};

struct Evaluation {
  size_t documents = 0;
  size_t folds = 0;
  Metrics metrics;                                     // every kind of evidence
  Metrics baseline;                                    // labels and alt labels only
  std::vector<std::pair<std::string, Metrics>> steps;  // evidence added one kind at a time, then neighbours alone
  std::vector<ThemeFigures> per_theme;
  std::vector<Band> calibration;
  size_t at = 3;  // the cut used for per-theme figures
  double seconds = 0;
};

struct EvaluationOptions {
  size_t folds = 5;
  size_t at = 3;
  Options classifier;
};

// k-fold cross-validation over the manually classified documents of the index: the documents of a
// fold are hidden from the neighbour search while they are classified. Throws UsageError when there
// are fewer classified documents than folds.
Evaluation evaluate(const taxonomy::Taxonomy& t, const std::vector<std::string>& languages, const index::Reader& reader,
                    const EvaluationOptions& options);

// The hierarchical F1 of one prediction: both sets are extended with all their ancestors, then
// hP = |P̂ ∩ Ĝ| / |P̂|, hR = |P̂ ∩ Ĝ| / |Ĝ|, hF1 = 2·hP·hR / (hP + hR).
double hierarchical_f1(const taxonomy::Taxonomy& t, const std::vector<std::string>& predicted,
                       const std::vector<std::string>& gold);

// --- Writing back, with an undo record -------------------------------------------------------------

// Where undo records live: next to the index (.befus/undo), or under the knowledge base for a remote index.
fs::path undo_folder(const kb::KnowledgeBase& kb);

struct ApplyOptions {
  std::string command;                           // recorded in the undo record
  std::function<void(size_t written)> after_write;  // called after each file written (tests use it to crash)
};

struct ApplyReport {
  fs::path record;                      // the undo record of this run
  size_t written = 0;
  std::vector<std::string> conflicts;   // files changed on disk since they were read: left alone
  std::vector<index::Failure> failures; // files that could not be written
  std::vector<fs::path> documents;      // documents whose files were written (to re-index)
};

// Writes the undo record (original bytes of every file) first, then each edit atomically, refusing
// files that changed since they were read. Edits that change nothing are skipped.
ApplyReport apply(const kb::KnowledgeBase& kb, const std::vector<corpus::FileEdit>& edits, const ApplyOptions& options);

struct UndoReport {
  fs::path record;
  std::string command;
  size_t restored = 0;
  size_t untouched = 0;                 // files the run had not written yet (it was interrupted)
  std::vector<std::string> conflicts;   // files changed again since the run: left alone
  std::vector<fs::path> documents;      // documents restored (to re-index)
};

// Restores the files of the most recent run that was not undone yet; throws NotFoundError when none.
UndoReport undo_last(const kb::KnowledgeBase& kb);

// --- Reclassification -------------------------------------------------------------------------------

// What happened to one theme id of one document.
struct ThemeChange {
  std::string from;
  std::vector<std::string> to;            // empty when removed
  std::string kind;                       // renamed, merged, split, removed, moved
  double score = 0;                       // split: the classifier's score of the chosen heir
  std::vector<Suggestion> alternatives;   // split: every heir; removed: suggestions from the whole tree
  std::string detail;
};

struct DocumentPlan {
  std::string id;
  std::string path;                  // relative to the knowledge base
  std::vector<std::string> before;   // themes as written
  std::vector<std::string> after;    // themes in line with the tree
  std::vector<ThemeChange> changes;
  corpus::FileEdit edit;             // empty (no change) when before == after
  std::string diff;                  // line diff of the metadata file
};

struct ReclassifyOptions {
  bool keep_unknown = false;  // keep ids that no node replaces (reported either way)
  Options classifier;
};

struct ReclassifyPlan {
  std::vector<DocumentPlan> documents;    // only those with a change or a report, sorted by path
  std::vector<std::string> unclassified;  // paths of documents left without a theme
  std::vector<index::Failure> failures;   // files that could not be read or edited
  size_t checked = 0;
  // Old id -> (kind, new ids), over all documents: what `taxonomy diff` calls renamed/merged/split/removed.
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> moves;
  std::vector<std::string> notes;
  std::vector<corpus::FileEdit> edits() const;
};

// Brings every document's themes in line with the current tree: an id listed in a node's `replaces`
// becomes that node; an id several nodes replace (a split) becomes the classifier's choice among them;
// an id no node replaces is reported with suggestions (and dropped unless keep_unknown). Reads only.
ReclassifyPlan plan_reclassify(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const index::Reader* reader,
                               const ReclassifyOptions& options);

} // namespace befus::classify
