#include "befus/classify.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "befus/rewrite.hpp"
#include "befus/taxonomy_io.hpp"
#include "test_classify_support.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <functional>

namespace classify = befus::classify;
using namespace befus::test;
namespace fs = std::filesystem;

namespace {

struct Loaded {
  befus::kb::KnowledgeBase kb;
  befus::taxonomy::Taxonomy tree;
};

Loaded load_kb(const fs::path& dir) {
  Loaded l{befus::kb::read_config(dir), {}};
  l.tree = befus::taxonomy::load_or_throw(l.kb.sources());
  return l;
}

void index_kb(const fs::path& dir) {
  Loaded l = load_kb(dir);
  befus::index::update(l.kb, l.tree, l.kb.index, {});
}

const classify::DocumentPlan* plan_for(const classify::ReclassifyPlan& p, const std::string& path) {
  for (const auto& d : p.documents)
    if (d.path == path) return &d;
  return nullptr;
}


// Edits the repository's tree the way a knowledge manager would: every node visited with its list.
void for_each_node(YAML::Node nodes, const std::function<void(YAML::Node&, YAML::Node&, size_t)>& fn) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    YAML::Node n = nodes[i];
    fn(n, nodes, i);
    if (n["children"]) for_each_node(n["children"], fn);
  }
}

YAML::Node remove_at(const YAML::Node& list, size_t at, std::vector<YAML::Node> insert = {}) {
  YAML::Node out(YAML::NodeType::Sequence);
  for (size_t i = 0; i < list.size(); ++i) {
    if (i == at) {
      for (auto& x : insert) out.push_back(x);
      continue;
    }
    out.push_back(list[i]);
  }
  return out;
}

YAML::Node new_node(const std::string& id, const std::string& label_en, const std::vector<std::string>& keywords,
                    const std::string& replaces) {
  YAML::Node n;
  n["id"] = id;
  n["label"]["en"] = label_en;
  n["label"]["nl"] = label_en;
  n["label"]["fr"] = label_en;
  for (const auto& k : keywords) n["keywords"]["en"].push_back(k);
  n["replaces"].push_back(replaces);
  n["source"] = "proposed";
  return n;
}

// Renames housing, merges sanction-mediation into administrative-sanctions, splits radicalisation in
// two and moves media-and-insecurity under polarisation; references follow the heirs.
void reorganise_repository_tree(const fs::path& dir) {
  YAML::Node tree = YAML::LoadFile((dir / "taxonomy/befus.yaml").string());
  const std::map<std::string, std::string> heir = {{"housing", "housing-and-homelessness"},
                                                   {"sanction-mediation", "administrative-sanctions"},
                                                   {"radicalisation", "violent-extremism"}};
  YAML::Node media;
  for_each_node(tree["nodes"], [&](YAML::Node& n, YAML::Node&, size_t) {
    std::string id = n["id"].as<std::string>();
    if (id == "housing") {
      n["id"] = "housing-and-homelessness";
      n["replaces"].push_back("housing");
    }
    if (id == "administrative-sanctions") n["replaces"].push_back("sanction-mediation");
  });
  // Structural changes: rebuild the lists that lose or gain nodes.
  std::function<void(YAML::Node)> restructure = [&](YAML::Node nodes) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      YAML::Node n = nodes[i];
      if (n["children"]) {
        YAML::Node kids = n["children"];
        for (size_t k = 0; k < kids.size(); ++k) {
          std::string kid = kids[k]["id"].as<std::string>();
          if (kid == "sanction-mediation") {
            n["children"] = remove_at(kids, k);
            break;
          }
          if (kid == "radicalisation") {
            n["children"] = remove_at(
                kids, k,
                {new_node("violent-extremism", "Violent extremism",
                          {"terrorism", "jihadism", "foreign terrorist fighters", "terrorisme", "djihadisme"}, "radicalisation"),
                 new_node("radicalisation-case-management", "Radicalisation case management",
                          {"local integrated security cell", "case consultation", "livc", "csil", "casusoverleg"},
                          "radicalisation")});
            break;
          }
          if (kid == "media-and-insecurity") {
            media = YAML::Clone(kids[k]);
            n["children"] = remove_at(kids, k);
            if (n["children"].size() == 0) n.remove("children");
            break;
          }
        }
        restructure(n["children"]);
      }
    }
  };
  restructure(tree["nodes"]);
  REQUIRE(media.IsDefined());
  for_each_node(tree["nodes"], [&](YAML::Node& n, YAML::Node&, size_t) {
    if (n["id"].as<std::string>() == "polarisation") n["children"].push_back(media);
    if (n["related"]) {
      YAML::Node rel(YAML::NodeType::Sequence);
      for (const auto& r : n["related"]) {
        std::string id = r.as<std::string>();
        auto it = heir.find(id);
        std::string to = it == heir.end() ? id : it->second;
        if (to != n["id"].as<std::string>()) rel.push_back(to);
      }
      n["related"] = rel;
    }
  });
  YAML::Emitter tree_out;
  tree_out << tree;
  write(dir / "taxonomy/befus.yaml", tree_out.c_str());

  YAML::Node funding = YAML::LoadFile((dir / "taxonomy/funding.yaml").string());
  for (auto p : funding["programmes"]) {
    if (!p["themes"]) continue;
    YAML::Node themes(YAML::NodeType::Sequence);
    for (const auto& t : p["themes"]) {
      auto it = heir.find(t.as<std::string>());
      themes.push_back(it == heir.end() ? t.as<std::string>() : it->second);
    }
    p["themes"] = themes;
  }
  YAML::Emitter funding_out;
  funding_out << funding;
  write(dir / "taxonomy/funding.yaml", funding_out.c_str());
}

} // namespace

TEST_CASE("reclassify: odd files get their new themes and keep every other byte", "[classify][reclassify]") {
  TempDir dir;
  make_small_kb(dir.path());
  index_kb(dir.path());  // built with the old tree: moves show
  use_new_tree(dir.path());
  Loaded l = load_kb(dir.path());
  befus::index::Reader reader(l.kb.index);
  classify::ReclassifyPlan plan = classify::plan_reclassify(l.kb, l.tree, &reader, {});

  CHECK(plan.checked == 9);
  CHECK(plan.failures.empty());
  CHECK(plan.unclassified == std::vector<std::string>{"corpus/d.md", "corpus/f.md"});

  SECTION("the plan names each change") {
    auto change = [&](const std::string& path, size_t i) { return plan_for(plan, path)->changes.at(i); };
    REQUIRE(plan_for(plan, "corpus/a.md"));
    CHECK(change("corpus/a.md", 0).kind == "renamed");
    CHECK(change("corpus/a.md", 0).to == std::vector<std::string>{"youth-outreach"});
    CHECK(change("corpus/b.md", 0).kind == "merged");
    auto split = change("corpus/c.md", 0);
    CHECK(split.kind == "split");
    CHECK(split.to == std::vector<std::string>{"drug-care"});
    CHECK(split.score > 0);
    CHECK(split.score <= 1);
    CHECK(split.alternatives.size() == 2);
    CHECK(change("corpus/g.md", 0).to == std::vector<std::string>{"drug-nuisance"});
    CHECK(change("corpus/d.md", 0).kind == "removed");
    CHECK(change("corpus/h.md", 0).kind == "moved");
    CHECK(change("corpus/h.md", 0).to == std::vector<std::string>{"victim-care"});
    CHECK_FALSE(plan_for(plan, "corpus/h.md")->edit.changes());
    CHECK_FALSE(plan_for(plan, "corpus/i.md"));
    CHECK(plan_for(plan, "corpus/a.md")->diff ==
          "@@ -6,3 +6,3 @@\n x-source: {system: old, ref: 12}\n-themes: [youth-work, nightlife]  # filed by hand\n"
          "+themes: [youth-outreach, nightlife]  # filed by hand\n ---\n");
  }

  SECTION("the plan agrees with taxonomy diff on what moved") {
    auto old_tree = befus::taxonomy::load_or_throw({data("classify/tree-old.yaml"), {}, {}, l.kb.languages});
    for (const auto& c : befus::taxonomy::diff(old_tree, l.tree)) {
      INFO(c.id);
      REQUIRE(plan.moves.count(c.id));
      CHECK(plan.moves.at(c.id).first == befus::taxonomy::to_string(c.kind));
      if (c.kind != befus::taxonomy::Change::Kind::removed) CHECK(plan.moves.at(c.id).second == c.targets);
    }
    CHECK(plan.moves.size() == befus::taxonomy::diff(old_tree, l.tree).size());
  }

  SECTION("applying writes exactly the expected bytes, and undo restores the rest") {
    auto before = snapshot(dir.path());
    classify::ApplyReport r = classify::apply(l.kb, plan.edits(), {"reclassify", {}});
    CHECK(r.written == 6);
    CHECK(r.conflicts.empty());
    CHECK(fs::exists(r.record));
    auto after = snapshot(dir.path());
    for (const auto& [path, text] : before) {
      INFO(path);
      auto want = small_expected().find(path);
      CHECK(after.at(path) == (want == small_expected().end() ? text : want->second));
    }
    CHECK(after.size() == before.size());
    // Nothing is left to do.
    classify::ReclassifyPlan again = classify::plan_reclassify(l.kb, l.tree, nullptr, {});
    CHECK(again.edits().empty());

    classify::UndoReport u = classify::undo_last(l.kb);
    CHECK(u.restored == 6);
    CHECK(u.conflicts.empty());
    CHECK(snapshot(dir.path()) == before);
    CHECK_THROWS_AS(classify::undo_last(l.kb), befus::NotFoundError);
  }
}

TEST_CASE("reclassify: ids no node replaces are kept on request", "[classify][reclassify]") {
  TempDir dir;
  make_small_kb(dir.path());
  use_new_tree(dir.path());
  Loaded l = load_kb(dir.path());
  classify::ReclassifyOptions opts;
  opts.keep_unknown = true;
  auto plan = classify::plan_reclassify(l.kb, l.tree, nullptr, opts);
  const auto* d = plan_for(plan, "corpus/d.md");
  REQUIRE(d);
  CHECK(d->after == std::vector<std::string>{"old-topic"});
  CHECK_FALSE(d->edit.changes());
  CHECK(d->changes.at(0).kind == "removed");
}

TEST_CASE("reclassify: renames, merges and splits on a copy of the sample knowledge base", "[classify][reclassify]") {
  TempDir dir;
  copy_repository_kb(dir.path());
  index_kb(dir.path());
  auto original = snapshot(dir.path());
  // Every document's themes before the change, from the files themselves.
  Loaded old_kb = load_kb(dir.path());
  std::map<std::string, std::vector<std::string>> themes_before;
  for (const auto& f : befus::corpus::list_files(old_kb.kb).files) {
    auto d = befus::corpus::load(old_kb.kb, f);
    themes_before[d.path] = d.themes;
  }
  REQUIRE(themes_before.size() == 72);

  reorganise_repository_tree(dir.path());
  Loaded l = load_kb(dir.path());
  std::optional<befus::index::Reader> reader(std::in_place, l.kb.index);
  classify::ReclassifyPlan plan = classify::plan_reclassify(l.kb, l.tree, &*reader, {});
  reader.reset();
  CHECK(plan.failures.empty());
  CHECK(plan.checked == 72);
  CHECK(plan.moves.at("housing") == std::make_pair(std::string("renamed"), std::vector<std::string>{"housing-and-homelessness"}));
  CHECK(plan.moves.at("sanction-mediation").first == "merged");
  CHECK(plan.moves.at("radicalisation").first == "split");
  CHECK(plan.moves.at("media-and-insecurity") == std::make_pair(std::string("moved"), std::vector<std::string>{"polarisation"}));

  classify::ApplyReport r = classify::apply(l.kb, plan.edits(), {"reclassify", {}});
  CHECK(r.conflicts.empty());
  CHECK(r.written == 11);
  befus::index::IndexOptions reindex;
  reindex.only = r.documents;
  befus::index::update(l.kb, l.tree, l.kb.index, reindex);

  // Every document: its themes mapped through the changes; every other byte as it was.
  auto now = snapshot(dir.path());
  size_t changed = 0;
  for (const auto& f : befus::corpus::list_files(l.kb).files) {
    auto d = befus::corpus::load(l.kb, f);
    INFO(d.path);
    std::vector<std::string> want;
    for (const auto& th : themes_before.at(d.path)) {
      std::string to = th == "housing"              ? "housing-and-homelessness"
                       : th == "sanction-mediation" ? "administrative-sanctions"
                                                    : th;
      if (th == "radicalisation") {
        // The classifier's choice between the two heirs.
        REQUIRE(d.themes.size() > want.size());
        to = d.themes[want.size()];
        CHECK((to == "violent-extremism" || to == "radicalisation-case-management"));
      }
      if (std::find(want.begin(), want.end(), to) == want.end()) want.push_back(to);
    }
    CHECK(d.themes == want);
    for (const auto& th : d.themes) CHECK(l.tree.find(th));
  }
  for (const auto& [path, text] : original) {
    INFO(path);
    if (now.at(path) != text) ++changed;
    CHECK(without_themes(now.at(path)) == without_themes(text));
  }
  CHECK(changed == 11);
  CHECK(now.size() == original.size());

  // The index followed: the new ids are searchable, the old ones gone.
  befus::index::Reader after(l.kb.index);
  CHECK(after.ids_with_term("XDTHEME:housing-and-homelessness").size() == 4);
  CHECK(after.ids_with_term("XDTHEME:sanction-mediation").empty());
  CHECK(after.ids_with_term("XTHEME:polarisation").size() >= 2 + 3);

  // Undo brings every byte back.
  auto u = classify::undo_last(l.kb);
  CHECK(u.restored == 11);
  CHECK(snapshot(dir.path()) == original);
}

TEST_CASE("reclassify: a file edited after the plan is left alone and reported", "[classify][reclassify]") {
  TempDir dir;
  make_small_kb(dir.path());
  use_new_tree(dir.path());
  Loaded l = load_kb(dir.path());
  auto plan = classify::plan_reclassify(l.kb, l.tree, nullptr, {});
  write(dir / "corpus/a.md", small_documents().at("corpus/a.md") + "A line added by someone else.\n");
  auto r = classify::apply(l.kb, plan.edits(), {"reclassify", {}});
  CHECK(r.conflicts == std::vector<std::string>{"corpus/a.md"});
  CHECK(r.written == 5);
  CHECK(read(dir / "corpus/a.md") == small_documents().at("corpus/a.md") + "A line added by someone else.\n");

  SECTION("undo restores what the run wrote and leaves a file edited since then") {
    write(dir / "corpus/b.md", "edited again\n");
    auto u = classify::undo_last(l.kb);
    CHECK(u.restored == 4);
    CHECK(u.untouched == 1);  // a.md: the run never wrote it
    CHECK(u.conflicts == std::vector<std::string>{"corpus/b.md"});
    CHECK(read(dir / "corpus/b.md") == "edited again\n");
    CHECK(read(dir / "corpus/c.md") == small_documents().at("corpus/c.md"));
  }
}

TEST_CASE("reclassify: the undo record holds the originals before any file changes", "[classify][reclassify]") {
  TempDir dir;
  make_small_kb(dir.path());
  use_new_tree(dir.path());
  Loaded l = load_kb(dir.path());
  auto plan = classify::plan_reclassify(l.kb, l.tree, nullptr, {});
  fs::path record;
  size_t seen = 0;
  classify::ApplyOptions opts{"reclassify", [&](size_t written) {
                                if (written != 1) return;
                                // After the first write the record already lists every file with its bytes.
                                for (const auto& e : fs::directory_iterator(classify::undo_folder(l.kb))) record = e.path();
                                auto j = nlohmann::json::parse(read(record));
                                CHECK(j["state"] == "pending");
                                for (const auto& f : j["files"]) {
                                  ++seen;
                                  CHECK(f["before"].get<std::string>() == small_documents().at(f["path"].get<std::string>()));
                                }
                              }};
  auto r = classify::apply(l.kb, plan.edits(), opts);
  CHECK(seen == 6);
  auto j = nlohmann::json::parse(read(r.record));
  CHECK(j["state"] == "applied");
  CHECK(j["files"].size() == 6);
  for (const auto& f : j["files"]) {
    CHECK(f["outcome"] == "written");
    CHECK(small_documents().at(f["path"].get<std::string>()) == f["before"].get<std::string>());
  }
  CHECK(classify::undo_folder(l.kb) == dir.path() / ".befus" / "undo");
}
