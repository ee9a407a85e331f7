#!/usr/bin/env python3
"""Deterministic synthetic multilingual corpus for befus benchmarks.

Writes a whole knowledge base:

    OUT/befus.yaml                  knowledge base config (index under OUT/.befus/index)
    OUT/taxonomy/*.yaml             copies of the repository's tree, actors and funding
    OUT/corpus/NNNN/doc-NNNNNNN.md  N Markdown files with YAML front matter

The vocabulary comes from the tree (labels, alt labels and keywords per language) plus
filler words per language listed below.  Each document gets its own random generator
seeded from (seed, document number), so the same N and seed give the same bytes, and the
first K documents of a larger corpus equal those of a smaller one.

Python 3 standard library only.
"""

import argparse
import multiprocessing
import os
import random
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TAXONOMY = os.path.normpath(os.path.join(HERE, "..", "taxonomy"))
LANGS = ("nl", "fr", "en")
LANG_SHARE = (0.40, 0.40, 0.20)  # Belgian corpus: mostly Dutch and French
TYPES = ("publication", "practice", "recommendation", "evaluation", "workshop", "news")

# ---------------------------------------------------------------------------
# Filler words, written for this benchmark.  Function words come first: they are drawn
# far more often (Zipf-like ranks), as in real text.
# ---------------------------------------------------------------------------
FUNCTION = {
    "nl": """de het een en van in is op dat met voor te zijn niet aan er om ook als bij door maar
        naar dan nog wordt worden kan over uit tot die deze wat of heeft hebben meer zo al onder
        tussen na zonder waar hun ons zij we ze elk veel weinig toch vaak soms altijd nooit
        daarom omdat terwijl hoewel echter bovendien sinds tijdens binnen buiten tegen via""",
    "fr": """le la les un une des du de et à au aux en dans sur pour par avec sans qui que dont où
        ne pas plus est sont a ont été être avoir cette ce ces leur leurs nous ils elles on il
        elle mais ou donc car aussi très déjà encore entre après avant chez selon vers depuis
        pendant parfois souvent toujours jamais ainsi pourtant lorsque tandis puisque même""",
    "en": """the a an and of in is on that with for to be not at there also as by through but
        into than still is are can about from until this these what or has have more so already
        under between after without where their our they we them each many few yet often
        sometimes always never therefore because while although however moreover since during
        within outside against via""",
}

CONTENT = {
    "nl": """gemeente stad wijk buurt bewoners jongeren ouders school straat plein politie
        hulpverlening project aanpak overleg partners werking resultaten evaluatie gevolgen
        oorzaken middelen budget personeel medewerkers ervaring praktijk vragen antwoorden
        vertrouwen samenleving avond nacht week jaar maand zomer winter centrum station park
        sportclub vereniging huis woning gezin kinderen senioren vrouwen mannen verhaal gesprek
        verslag studie cijfers onderzoek analyse beleid schepen burgemeester raad ambtenaar
        dienst loket opvolging begeleiding ondersteuning werken helpen zorgen merken tonen
        brengen leggen volgen delen leren bouwen versterken verbeteren begeleiden ontmoeten
        organiseerde bleek stelde bracht gaf zag kwam ging lokale nieuwe grote kleine sterke
        duidelijke moeilijke goede belangrijke jonge oude kwetsbare veilige open sociale
        gezamenlijke concrete eerste tweede laatste dagelijkse geïntegreerde coördinatie
        financiële ideeën creëren privé café één reünie efficiënt preventiewerker straathoekwerk
        jeugdhuis buurthuis wijkagent opbouwwerk netwerk signalen noden doelgroep deelnemers
        vrijwilligers gesprekken afspraken regels afstand nabijheid drempel toegang kansen
        risico's spanningen conflicten overlast meldingen klachten feiten dossiers""",
    "fr": """commune ville quartier habitants jeunes parents école rue place police aide projet
        démarche réunion partenaires fonctionnement résultats évaluation conséquences causes
        moyens budget personnel équipe expérience pratique questions réponses confiance société
        soirée nuit semaine année mois été hiver centre gare parc club association maison
        logement famille enfants aînés femmes hommes récit entretien rapport étude chiffres
        recherche analyse politique échevin bourgmestre conseil fonctionnaire service guichet
        suivi accompagnement soutien travailler aider veiller constater montrer apporter
        poser suivre partager apprendre construire renforcer améliorer accompagner rencontrer
        organisa sembla proposa apporta donna vit vint alla locale nouvelle grande petite forte
        claire difficile bonne importante jeune ancienne vulnérable sûre ouverte sociale commune
        concrète première deuxième dernière quotidienne intégrée coordination financière idées
        créer privé café réunion efficace éducateur travailleur médiateur maison de jeunes
        agent de quartier réseau signaux besoins public cible participants bénévoles échanges
        accords règles distance proximité seuil accès chances risques tensions conflits
        nuisances signalements plaintes faits dossiers""",
    "en": """municipality city district neighbourhood residents young people parents school
        street square police support project approach meeting partners work results evaluation
        consequences causes means budget staff team experience practice questions answers trust
        society evening night week year month summer winter centre station park club association
        house housing family children elderly women men story interview report study figures
        research analysis policy alderman mayor council officer service desk follow-up guidance
        help work care notice show bring lay follow share learn build strengthen improve
        accompany meet organised seemed proposed brought gave saw came went local new large
        small strong clear difficult good important young old vulnerable safe open social joint
        concrete first second last daily integrated coordination financial ideas create private
        café efficient youth worker outreach mediator community officer network signals needs
        target group participants volunteers conversations agreements rules distance proximity
        threshold access opportunities risks tensions conflicts nuisance reports complaints
        facts files""",
}

# Pieces for rare words, so the vocabulary keeps growing with the corpus as real text does
# (compounds in Dutch, names of places, streets and people everywhere).
SYLLABLES = "ba be bi bo da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to va ve vi vo wa we za ze".split()
NL_PARTS = """veiligheids preventie buurt wijk jeugd straat school gezins zorg drugs nacht
    gemeente stads politie hulp project samenwerkings overleg""".split()
NL_HEADS = "plan werking aanpak team dienst overleg netwerk project traject loket beleid cel raad".split()
FR_STREETS = ("rue", "avenue", "place", "chaussée", "boulevard", "quai")
NL_STREETS = ("straat", "laan", "plein", "steenweg", "kaai", "dreef")
EN_STREETS = ("street", "road", "square", "lane", "avenue")

HEADINGS = {
    "nl": ["Achtergrond", "Aanpak", "Resultaten", "Wat we leerden", "Volgende stappen", "Context"],
    "fr": ["Contexte", "Démarche", "Résultats", "Enseignements", "Prochaines étapes", "Le problème"],
    "en": ["Background", "Approach", "Results", "What we learned", "Next steps", "The problem"],
}
CONNECT = {"nl": ["in", "voor", "rond", "en"], "fr": ["à", "pour", "autour de", "et"],
           "en": ["in", "for", "around", "and"]}


# ---------------------------------------------------------------------------
# A reader for the small YAML subset the taxonomy files use: block mappings and
# sequences, with one-line flow mappings and sequences of plain or quoted scalars.
# ---------------------------------------------------------------------------
def split_flow(s):
    """Items of a one-line flow collection body, split on top-level commas."""
    items, cur, depth, quote = [], [], 0, None
    for ch in s:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'" and not "".join(cur).strip():
            quote = ch
            cur.append(ch)
        elif ch in "[{":
            depth += 1
            cur.append(ch)
        elif ch in "]}":
            depth -= 1
            cur.append(ch)
        elif ch == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        items.append("".join(cur).strip())
    return items


def scalar(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def strip_comment(line):
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'" and (i == 0 or line[i - 1] in " :[{,"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] == " "):
            break
        out.append(ch)
    return "".join(out).rstrip()


def load_vocabulary(path):
    """Nodes of the tree: [{'id', 'label': {lang: text}, 'alt': {lang: [..]}, 'keywords': ...}]."""
    nodes, node, block = [], None, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = strip_comment(raw.rstrip("\n"))
            if not line.strip():
                continue
            m = re.match(r"^(\s*)- id:\s*(\S+)\s*$", line)
            if m:
                node = {"id": scalar(m.group(2)), "label": {}, "alt": {}, "keywords": {}}
                nodes.append(node)
                block = None
                continue
            if node is None:
                continue
            m = re.match(r"^\s*label:\s*\{(.*)\}\s*$", line)
            if m:
                for item in split_flow(m.group(1)):
                    k, _, v = item.partition(":")
                    node["label"][k.strip()] = scalar(v)
                block = None
                continue
            m = re.match(r"^\s*(alt|keywords|why|children|related|replaces|source):", line)
            if m:
                block = m.group(1) if m.group(1) in ("alt", "keywords") else None
                continue
            m = re.match(r"^\s*(nl|fr|en|de):\s*\[(.*)\]\s*$", line)
            if m and block:
                node[block][m.group(1)] = [scalar(x) for x in split_flow(m.group(2)) if scalar(x)]
    return nodes


def load_actor_ids(path):
    ids, in_actors = [], False
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = strip_comment(raw.rstrip("\n"))
            if re.match(r"^actors:", line):
                in_actors = True
                continue
            if re.match(r"^\S", line):
                in_actors = False
            m = re.match(r"^\s*- id:\s*(\S+)\s*$", line)
            if in_actors and m:
                ids.append(scalar(m.group(1)))
    return ids


# ---------------------------------------------------------------------------
# Text generation
# ---------------------------------------------------------------------------
def words(s):
    return s.split()


class Vocabulary:
    def __init__(self, nodes, actors):
        self.nodes = nodes
        self.actors = actors
        self.function = {l: words(FUNCTION[l]) for l in LANGS}
        self.content = {l: words(CONTENT[l]) for l in LANGS}
        # Cumulative Zipf weights (1/rank) for each word list.
        self.fcum = {l: cumulative(len(self.function[l])) for l in LANGS}
        self.ccum = {l: cumulative(len(self.content[l])) for l in LANGS}
        self.phrases = {}  # (node index, lang) -> labels, alt labels and keywords
        for i, n in enumerate(nodes):
            for l in LANGS:
                p = []
                if n["label"].get(l):
                    p.append(n["label"][l])
                p += n["alt"].get(l, []) + n["keywords"].get(l, [])
                self.phrases[(i, l)] = p or [n["id"].replace("-", " ")]
        self.pools = {l: pool(self, l) for l in LANGS}


def cumulative(n):
    out, total = [], 0.0
    for r in range(1, n + 1):
        total += 1.0 / r
        out.append(total)
    return out


def pick(rng, items, cum):
    return rng.choices(items, cum_weights=cum, k=1)[0]


def rare_word(rng, lang):
    r = rng.random()
    if r < 0.35:
        return str(rng.randint(2, 2025))
    if lang == "nl" and r < 0.75:
        return rng.choice(NL_PARTS) + rng.choice(NL_HEADS)
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    return name.capitalize()


def place(rng, lang):
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    if lang == "fr":
        return f"{rng.choice(FR_STREETS)} {name.capitalize()}"
    if lang == "nl":
        return name.capitalize() + rng.choice(NL_STREETS)
    return f"{name.capitalize()} {rng.choice(EN_STREETS)}"


TOPIC, RARE, PLACE = "\x00t", "\x00r", "\x00p"


def pool(vocab, lang):
    """One word list with cumulative weights: function words, content words and markers."""
    fw, cw = vocab.function[lang], vocab.content[lang]
    items, cum, total = [], [], 0.0
    for share, lst in ((0.45, fw), (0.41, cw)):
        norm = sum(1.0 / r for r in range(1, len(lst) + 1))
        for r, w in enumerate(lst, 1):
            total += share / (r * norm)
            items.append(w)
            cum.append(total)
    for share, marker in ((0.09, TOPIC), (0.035, RARE), (0.015, PLACE)):
        total += share
        items.append(marker)
        cum.append(total)
    return items, cum


def body(rng, vocab, lang, topic, target_words):
    """Paragraphs of sentences, about target_words words in all."""
    items, cum = vocab.pools[lang]
    tokens = rng.choices(items, cum_weights=cum, k=target_words)
    for i, t in enumerate(tokens):
        if t[0] == "\x00":
            if t == TOPIC:
                tokens[i] = rng.choice(vocab.phrases[(rng.choice(topic), lang)])
            elif t == RARE:
                tokens[i] = rare_word(rng, lang)
            else:
                tokens[i] = place(rng, lang)
    heads = HEADINGS[lang][:]
    rng.shuffle(heads)
    parts, para, pos = [], [], 0
    while pos < len(tokens):
        n = rng.randint(7, 18)
        s = " ".join(tokens[pos:pos + n])
        pos += n
        para.append(s[0].upper() + s[1:] + rng.choice(ENDS))
        if len(para) >= rng.randint(2, 5) or pos >= len(tokens):
            if parts and heads and rng.random() < 0.3:
                parts.append("## " + heads.pop())
            parts.append(" ".join(para))
            para = []
    return "\n\n".join(parts)


ENDS = (".", ".", ".", ".", "?", "!")


def document(number, seed, vocab, classified_share, no_lang_share):
    """Returns the Markdown text of document `number` (0-based)."""
    rng = random.Random(seed * 1_000_003 + number)
    lang = rng.choices(LANGS, weights=LANG_SHARE, k=1)[0]
    nodes = vocab.nodes
    themes = rng.sample(range(len(nodes)), rng.choice((1, 1, 2, 2, 3)))
    # Most words come from the document's own themes, a few from any other node.
    topic = themes * 4 + [rng.randrange(len(nodes))]
    classified = rng.random() < classified_share
    with_lang = rng.random() >= no_lang_share
    year = rng.randint(1995, 2024)
    dtype = rng.choice(TYPES)
    partners = rng.sample(vocab.actors, rng.choice((0, 1, 1, 2, 2, 3)))

    main = rng.choice(vocab.phrases[(themes[0], lang)])
    extra = pick(rng, vocab.content[lang], vocab.ccum[lang])
    title = f"{main[0].upper()}{main[1:]} {rng.choice(CONNECT[lang])} {extra} {year}"

    text = body(rng, vocab, lang, topic, rng.randint(135, 470))

    front = [
        "---",
        f"id: doc-{number:07d}",
        f'title: "{title}"',
    ]
    if with_lang:
        front.append(f"lang: {lang}")
    front += [f"year: {year}", f"type: {dtype}", f"partners: [{', '.join(partners)}]"]
    if classified:
        front.append(f"themes: [{', '.join(nodes[t]['id'] for t in themes)}]")
    front.append("---")
    return "\n".join(front) + f"\n# {title}\n\n" + text + "\n"


KB_YAML = """# Synthetic knowledge base for befus benchmarks (bench/gen_corpus.py).
taxonomy: taxonomy/befus.yaml
actors:   taxonomy/actors.yaml
funding:  taxonomy/funding.yaml
corpus:   [corpus]
index:    .befus/index
languages: [nl, fr, en]
"""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("count", type=int, help="number of documents")
    ap.add_argument("out", help="output folder (the knowledge base root)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--per-folder", type=int, default=1000, help="files per subfolder")
    ap.add_argument("--taxonomy", default=DEFAULT_TAXONOMY, help="folder with befus.yaml, actors.yaml, funding.yaml")
    ap.add_argument("--classified", type=float, default=0.7, help="share of documents with themes")
    ap.add_argument("--no-lang", type=float, default=0.2, help="share of documents without a lang field")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="writer processes")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)

    nodes = load_vocabulary(os.path.join(a.taxonomy, "befus.yaml"))
    actors = load_actor_ids(os.path.join(a.taxonomy, "actors.yaml"))
    if not nodes or not actors:
        sys.exit(f"gen_corpus: no nodes or actors found under {a.taxonomy}")
    vocab = Vocabulary(nodes, actors)

    os.makedirs(os.path.join(a.out, "taxonomy"), exist_ok=True)
    for name in ("befus.yaml", "actors.yaml", "funding.yaml"):
        shutil.copyfile(os.path.join(a.taxonomy, name), os.path.join(a.out, "taxonomy", name))
    with open(os.path.join(a.out, "befus.yaml"), "w", encoding="utf-8") as f:
        f.write(KB_YAML)

    folders = (a.count + a.per_folder - 1) // a.per_folder
    jobs = [(f, a) for f in range(folders)]
    if a.jobs > 1 and folders > 1:
        with multiprocessing.Pool(a.jobs, initializer=init_worker, initargs=(vocab,)) as p:
            sizes = p.map(write_folder, jobs, chunksize=1)
    else:
        init_worker(vocab)
        sizes = [write_folder(j) for j in jobs]
    if not a.quiet:
        print(f"gen_corpus: {a.count} documents, {sum(sizes) / 1e6:.1f} MB, {len(nodes)} nodes, "
              f"{len(actors)} actors -> {a.out}", file=sys.stderr)


_vocab = None


def init_worker(vocab):
    global _vocab
    _vocab = vocab


def write_folder(job):
    """Writes one subfolder of documents; returns its bytes."""
    f, a = job
    folder = os.path.join(a.out, "corpus", f"{f:04d}")
    os.makedirs(folder, exist_ok=True)
    total = 0
    for i in range(f * a.per_folder, min(a.count, (f + 1) * a.per_folder)):
        data = document(i, a.seed, _vocab, a.classified, a.no_lang).encode("utf-8")
        total += len(data)
        with open(os.path.join(folder, f"doc-{i:07d}.md"), "wb") as out:
            out.write(data)
    return total

if __name__ == "__main__":
    main(sys.argv[1:])
