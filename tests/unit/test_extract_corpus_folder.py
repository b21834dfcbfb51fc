"""The corpus folder and its manifest (etnc_db.extract.corpus): what a scan accepts and
refuses, the manifest schema's file:line errors, adding and removing documents, and that
a failure half-way leaves the folder exactly as it was.

Every folder is built here under tmp_path from fragments written in the tests. These
tests run as root on the build machine, where chmod 000 does not stop a read: the
permission case is simulated by making os.open raise EACCES for that file; the real
chmod 000 case runs where permissions apply (a normal user, or root without
CAP_DAC_OVERRIDE: ``setpriv --bounding-set=-dac_override,-dac_read_search``)."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from etnc_db.extract import corpus as C
from etnc_db.extract.parsed import CorpusError
from etnc_db.extract.reader import read_source
from etnc_db.yaml_lines import LineList, YamlSyntaxError, parse_yaml_with_lines

ROOT = Path(__file__).resolve().parents[2]
TEXT_A = "Alpha report\n\nFirst paragraph of alpha.\n"
TEXT_B = "Beta news\n\nSecond document, about beta.\n"
TEXT_C = "Gamma newsletter\n\nThird document, gamma.\n"


def sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def make(folder: Path, files: dict[str, str], manifest: str | None = None) -> Path:
    """A corpus folder with these files and (dedented) manifest text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    if manifest is not None:
        (folder / C.MANIFEST).write_text(textwrap.dedent(manifest))
    return folder


def snapshot(folder: Path) -> dict[str, object]:
    """Everything in the folder, hidden files included: bytes, link targets, types."""
    out: dict[str, object] = {}
    for p in sorted(folder.iterdir()):
        if p.is_symlink():
            out[p.name] = ("link", os.readlink(p))
        elif p.is_file():
            out[p.name] = p.read_bytes()
        else:
            out[p.name] = "other"
    return out


def lines(corpus: C.Corpus) -> list[str]:
    return [str(p) for p in corpus.problems]


# --------------------------------------------------------------------------- scanning


def test_scan_reads_manifest_and_generic_files(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "Beta Story.md": TEXT_B, "notes.pdf": "x", ".#lock.txt": "x"}, """\
        documents:
          - file: a.txt
            key: alpha
            title: "Alpha"
            published: 2025-03-04
            kind: report
        """)
    corpus = C.scan_corpus(folder)
    assert lines(corpus) == []
    assert [(f.file_name, f.key, f.kind, f.title, f.published) for f in corpus.files] == [
        ("Beta Story.md", "beta-story", "article", None, None),
        ("a.txt", "alpha", "report", "Alpha", "2025-03-04"),
    ]
    assert corpus.files[1].sha256 == sha(TEXT_A) and corpus.files[1].size == len(TEXT_A)
    assert corpus.files[1].metadata == '["report", "Alpha", null, "2025-03-04"]'


def test_real_corpus_scans_cleanly_with_its_manifest_keys():
    import yaml

    folder = ROOT / "data" / "corpus"
    corpus = C.scan_corpus(folder)
    assert lines(corpus) == []
    manifest = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    assert sorted((f.file_name, f.key, f.kind) for f in corpus.files) == \
        sorted((e["file"], e["key"], e["kind"]) for e in manifest)


def test_link_outside_the_folder_is_refused(tmp_path):
    outside = make(tmp_path / "outside", {"secret.txt": "not for the corpus\n"})
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "up.txt").symlink_to("../outside/secret.txt")
    corpus = C.scan_corpus(folder)
    assert [f.file_name for f in corpus.files] == ["a.txt"]
    assert lines(corpus) == [
        f"passwd.txt: symbolic link to {Path('/etc/passwd').resolve()}, outside the corpus folder",
        f"secret.txt: symbolic link to {(outside / 'secret.txt').resolve()}, outside the corpus folder",
        f"up.txt: symbolic link to {(outside / 'secret.txt').resolve()}, outside the corpus folder",
    ]


def test_link_inside_the_folder_is_followed(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    make(folder / "archive", {"b.txt": TEXT_B})
    (folder / "b.txt").symlink_to("archive/b.txt")
    (folder / "again.txt").symlink_to("a.txt")  # a second name for a.txt: same bytes
    corpus = C.scan_corpus(folder)
    assert [f.file_name for f in corpus.files] == ["a.txt", "b.txt"]
    assert corpus.files[1].sha256 == sha(TEXT_B)
    assert lines(corpus) == ["again.txt: same content as a.txt"]


def test_dangling_link_loop_directory_fifo_are_refused(tmp_path, no_hang):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    (folder / "loop1.txt").symlink_to("loop2.txt")
    (folder / "loop2.txt").symlink_to("loop1.txt")
    (folder / "dir.txt").mkdir()
    os.mkfifo(folder / "pipe.md")
    (folder / "to-dir.txt").symlink_to("dir.txt")
    corpus = C.scan_corpus(folder)
    assert [f.file_name for f in corpus.files] == ["a.txt"]
    assert lines(corpus) == [
        "dangling.txt: dangling symbolic link (its target does not exist)",
        "dir.txt: is a directory, not a regular file",
        "loop1.txt: symbolic link loop",
        "loop2.txt: symbolic link loop",
        "pipe.md: is a FIFO (named pipe), not a regular file",
        "to-dir.txt: is a directory, not a regular file",
    ]
    # a loaded document whose file became a dangling link or a loop is refused, not gone:
    # its rows stay (only a file that is really absent is removed, with --prune)
    assert corpus.state("dangling") == corpus.state("loop1") == "refused"
    assert corpus.removable(["dangling", "loop1", "vanished"]) == ["vanished"]


def test_socket_is_refused(tmp_path):
    import socket

    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "s.txt"))
        assert lines(C.scan_corpus(folder)) == ["s.txt: is a socket, not a regular file"]
    finally:
        sock.close()


def test_oversize_is_refused_from_stat_without_reading(tmp_path, monkeypatch):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    with open(folder / "huge.txt", "wb") as f:  # sparse: no disk space, no memory
        f.truncate(1 << 30)
    with open(folder / "just-over.txt", "wb") as f:
        f.truncate(C.MAX_DOCUMENT_BYTES + 1)
    real = C.stream_sha256
    read = []
    monkeypatch.setattr(C, "stream_sha256", lambda path, name, *a: read.append(name) or real(path, name, *a))
    corpus = C.scan_corpus(folder)
    assert read == ["a.txt"]
    assert lines(corpus) == [
        f"huge.txt: file is {1 << 30} bytes, over the 20000000-byte limit",
        f"just-over.txt: file is {C.MAX_DOCUMENT_BYTES + 1} bytes, over the 20000000-byte limit",
    ]


def test_file_growing_while_hashed_is_refused(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": "x" * 5000})
    with pytest.raises(CorpusError, match=r"^a.txt: file is over the 1000-byte limit \(it grew"):
        C.stream_sha256(folder / "a.txt", "a.txt", limit=1000)


def test_sha256_is_streamed_in_chunks(tmp_path, monkeypatch):
    folder = make(tmp_path / "c", {})
    data = os.urandom(3 * (1 << 20) + 17)
    (folder / "big.txt").write_bytes(data)
    sizes = []
    real_read = os.read
    monkeypatch.setattr(C.os, "read", lambda fd, n: sizes.append(n) or real_read(fd, n))
    assert C.stream_sha256(folder / "big.txt", "big.txt") == (sha(data), len(data))
    assert max(sizes) == 1 << 20


def _deny(monkeypatch, name: str):
    """Make opening ``name`` fail as it does for a file without read permission."""
    real_open = os.open

    def fake_open(path, flags, *args, **kw):
        if Path(path).name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", fake_open)


def test_unreadable_file_is_refused_not_gone(tmp_path, monkeypatch):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B, "c.txt": TEXT_C}, """\
        documents:
          - file: b.txt
            key: beta
        """)
    _deny(monkeypatch, "b.txt")
    (folder / "c.txt").unlink()  # really gone
    corpus = C.scan_corpus(folder)
    assert lines(corpus) == ["b.txt: cannot read (permission denied)"]
    assert "Errno" not in lines(corpus)[0]
    assert corpus.state("alpha") == "gone" and corpus.state("a") == "ok"
    assert corpus.state("beta") == "refused"
    assert corpus.removable(["a", "beta", "c", "old-doc"]) == ["c", "old-doc"]


def test_chmod_000_file_is_refused(tmp_path):
    """The real case. Where permissions do not stop a read (root with CAP_DAC_OVERRIDE)
    the scan runs in a child process whose bounding set lacks the capabilities that
    bypass file permissions (``setpriv``)."""
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    (folder / "a.txt").chmod(0)
    try:
        if os.access(folder / "a.txt", os.R_OK):
            scan = ("import sys, pathlib; from etnc_db.extract import corpus as C; "
                    "print(*[str(p) for p in C.scan_corpus(pathlib.Path(sys.argv[1])).problems], sep='\\n')")
            res = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable,
                                  "-c", scan, str(folder)], capture_output=True, text=True, check=True)
            assert res.stdout.splitlines() == ["a.txt: cannot read (permission denied)"]
        else:
            assert lines(C.scan_corpus(folder)) == ["a.txt: cannot read (permission denied)"]
    finally:
        (folder / "a.txt").chmod(0o644)


def test_same_bytes_twice_is_refused_keeping_the_listed_file(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B, "copy-of-b.txt": TEXT_B, "z.txt": TEXT_A}, """\
        documents:
          - file: z.txt
        """)
    corpus = C.scan_corpus(folder)
    assert [f.file_name for f in corpus.files] == ["b.txt", "z.txt"]
    assert lines(corpus) == ["a.txt: same content as z.txt", "copy-of-b.txt: same content as b.txt"]
    assert corpus.state("a") == "refused"  # present: not deleted from the database


def test_generic_key_clash_is_refused(tmp_path):
    folder = make(tmp_path / "c", {"a b.txt": TEXT_A, "a-b.md": TEXT_B, "x.txt": TEXT_C, "alpha.txt": "other\n"}, """\
        documents:
          - file: x.txt
            key: alpha
        """)
    assert lines(C.scan_corpus(folder)) == [
        "a-b.md: document key 'a-b' already used by a b.txt",
        "alpha.txt: document key 'alpha' already used by x.txt",
    ]


def test_sha256_mismatch_and_missing_file_give_the_manifest_line(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B}, f"""\
        # header
        documents:
          - file: a.txt
            key: alpha
            sha256: {sha(TEXT_A)}
          - file: b.txt
            key: beta
            kind: news_article
            sha256: {sha("old text")}
          - file: gone.txt
            key: gone
        """)
    corpus = C.scan_corpus(folder)
    assert [f.key for f in corpus.files] == ["alpha"]
    assert lines(corpus) == [
        "sources.yaml:9: sha256 of b.txt does not match (file changed? update or remove the sha256)",
        "sources.yaml:10: file gone.txt listed but not in the folder",
    ]
    assert corpus.state("beta") == "refused" and corpus.state("gone") == "gone"
    assert corpus.removable(["alpha", "beta", "gone"]) == ["gone"]


def test_invalid_manifest_loads_nothing_and_deletes_nothing(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A}, """\
        documents:
          - file: a.txt
            colour: red
        """)
    corpus = C.scan_corpus(folder)
    assert corpus.files == [] and not corpus.manifest.ok
    assert corpus.removable(["a", "other"]) == [] and corpus.state("other") == "unknown"


def test_missing_corpus_folder_raises(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder does not exist"):
        C.scan_corpus(tmp_path / "nope")


def test_read_document_refuses_a_file_changed_after_the_scan(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    source = C.scan_corpus(folder).files[0]
    assert C.read_document(source) == TEXT_A
    (folder / "a.txt").write_text(TEXT_A + "more\n")
    with pytest.raises(CorpusError, match=r"^a.txt: file changed since the corpus folder was scanned"):
        C.read_document(source)


# --------------------------------------------------------------------------- reader


def test_read_source_refuses_fifo_without_blocking(tmp_path, no_hang):
    os.mkfifo(tmp_path / "p.txt")
    with pytest.raises(CorpusError, match=r"^p.txt: is a FIFO \(named pipe\), not a regular file$"):
        read_source(tmp_path / "p.txt")


def test_read_source_permission_denied_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(TEXT_A)
    _deny(monkeypatch, "a.txt")
    with pytest.raises(CorpusError) as info:
        read_source(tmp_path / "a.txt")
    assert str(info.value) == "a.txt: cannot read (permission denied)"


def test_read_source_directory_and_missing(tmp_path):
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(CorpusError, match=r"^d.txt: is a directory, not a regular file$"):
        read_source(tmp_path / "d.txt")
    with pytest.raises(CorpusError, match=r"^n.txt: file does not exist$"):
        read_source(tmp_path / "n.txt")


# --------------------------------------------------------------------------- the manifest schema

GOOD = f"""\
documents:
  - file: a.txt
    key: alpha
    title: "Alpha"
    publisher: "Pub"
    published: "2025-03"
    kind: report
    sha256: {sha(TEXT_A).upper()}
    notes: "fine"
"""


def manifest_problems(text: str) -> list[str]:
    return [str(p) for p in C.parse_manifest(textwrap.dedent(text))[1]]


def test_good_manifest_entry():
    entries, problems = C.parse_manifest(GOOD)
    assert problems == []
    assert entries[0].sha256 == sha(TEXT_A) and entries[0].published == "2025-03"
    assert entries[0].line_of("kind") == 7 and entries[0].line_of("nothing") == 2


@pytest.mark.parametrize("value, published", [
    ("2025", "2025"), ('"2025"', "2025"), ("2025-03", "2025-03"), ("2025-03-04", "2025-03-04"),
    ('"2024-02-29"', "2024-02-29"), ("null", None),
])
def test_published_forms_accepted(value, published):
    entries, problems = C.parse_manifest(f"documents:\n  - file: a.txt\n    published: {value}\n")
    assert problems == [] and entries[0].published == published


@pytest.mark.parametrize("text, expected", [
    ("- file: a.txt\n", ["sources.yaml:1: the manifest is a mapping with a 'documents:' list, not a list"]),
    ("just text\n", ["sources.yaml:1: the manifest is a mapping with a 'documents:' list, not a string"]),
    ("documents: []\nsources: []\n", ["sources.yaml:2: unknown top-level key 'sources' (only 'documents:' is allowed)"]),
    ("documents: a.txt\n", ["sources.yaml:1: 'documents:' must be a list of entries ('- file: ...'), not a string"]),
    ("documents:\n  - file: a.txt\n  - b.txt\n",
     ["sources.yaml:3: a document entry is a mapping (file: ..., key: ...), not a string"]),
    ("documents:\n  - key: alpha\n    kind: report\n", ["sources.yaml:2: 'file' is required"]),
    ("documents:\n  - file: docs/a.txt\n",
     ["sources.yaml:2: file 'docs/a.txt' must be a plain file name in the corpus folder (no path)"]),
    ("documents:\n  - file: ../a.txt\n",
     ["sources.yaml:2: file '../a.txt' must be a plain file name in the corpus folder (no path)"]),
    ("documents:\n  - file: a.pdf\n",
     ["sources.yaml:2: file 'a.pdf' must be a .txt or .md file whose name does not start with '.'"]),
    ("documents:\n  - file: a.txt\n    key: Alpha_1\n",
     ["sources.yaml:3: key 'Alpha_1' is not a slug (a-z, 0-9 and '-', starting with a letter or digit)"]),
    ("documents:\n  - file: a.txt\n    title: one\n    title: two\n",
     ["sources.yaml:4: malformed YAML: duplicate key 'title' (first on line 3)"]),
    ("documents:\n  - file: a.txt\n    key: alpha\n  - file: a.txt\n    key: beta\n",
     ["sources.yaml:4: file a.txt already listed on line 2"]),
    ("documents:\n  - file: a.txt\n    key: alpha\n  - file: b.txt\n    key: alpha\n",
     ["sources.yaml:5: key 'alpha' already used on line 3"]),
    ("documents:\n  - file: a.txt\n  - file: a.md\n", ["sources.yaml:3: key 'a' already used on line 2"]),
    ("documents:\n  - file: a.txt\n    published: '2025-02-30'\n",
     ["sources.yaml:3: published '2025-02-30' is not a real date"]),
    ("documents:\n  - file: a.txt\n    published: 2025-02-30\n",
     ["sources.yaml:3: malformed YAML: 2025-02-30 is not a real date (day is out of range for month)"]),
    ("documents:\n  - file: a.txt\n    published: '2025-13'\n", ["sources.yaml:3: published '2025-13' is not a real date"]),
    ("documents:\n  - file: a.txt\n    published: March 2025\n",
     ["sources.yaml:3: published 'March 2025' is not YYYY, YYYY-MM or YYYY-MM-DD"]),
    ("documents:\n  - file: a.txt\n    published: 2025-03-04 10:00:00\n",
     ["sources.yaml:3: published 2025-03-04 10:00:00 has a time; give YYYY, YYYY-MM or YYYY-MM-DD"]),
    ("documents:\n  - file: a.txt\n    kind: blog\n",
     ["sources.yaml:3: kind: Input should be 'report', 'news_article', 'newsletter' or 'article'"]),
    ("documents:\n  - file: a.txt\n    sha256: abc\n", ["sources.yaml:3: sha256 'abc' is not 64 hexadecimal digits"]),
    ("documents:\n  - file: a.txt\n    colour: red\n",
     ["sources.yaml:3: unknown key 'colour' (allowed: file, key, title, publisher, published, kind, sha256, notes)"]),
    ("documents:\n  - file: a.txt\n    title: [a, b]\n", ["sources.yaml:3: title: Input should be a valid string"]),
    ("documents:\n  - file: a.txt\n    title: 2024\n", ["sources.yaml:3: title: Input should be a valid string"]),
    ("documents:\n  - file: 12\n", ["sources.yaml:2: file: Input should be a valid string"]),
    ("documents:\n  - file: a.txt\n    1: x\n",
     ["sources.yaml:2: key 1 is not a text key (allowed: file, key, title, publisher, published, kind, sha256, notes)"]),
    ("documents:\n  - file: a.txt\n   key: x\n", ["sources.yaml:3: malformed YAML: did not find expected '-' indicator"]),
    ("documents:\n  - file: \"a.txt\n", ["sources.yaml:3: malformed YAML: found unexpected end of stream"]),
])
def test_manifest_errors(text, expected):
    assert manifest_problems(text) == expected


HEX = "ab" * 32
ENTRIES = [  # the manifest entries read without pydantic must be those the model makes
    {"file": "a.txt"}, {"file": "A Report_2024.md"}, {"file": "a.txt", "key": "alpha-1", "title": "T", "notes": None},
    {"file": "a.txt", "sha256": HEX.upper()}, {"file": "a.txt", "kind": "report", "publisher": "P"},
    {"file": "a.txt", "published": "2025"}, {"file": "a.txt", "published": "2025-03-04"}, {"file": "a.txt", "published": 2025},
    {"file": "a.txt", "published": __import__("datetime").date(2025, 3, 4)}, {"file": "a.txt", "published": None},
    {"file": "a.txt", "kind": None}, {"file": "a.txt", "kind": "blog"}, {"file": "a.txt", "kind": "Report"},
    {"file": "a.txt", "key": None}, {"file": "a.txt", "key": "Alpha"}, {"file": "a.txt", "key": 7},
    {"file": "a.txt", "title": 2024}, {"file": "a.txt", "title": True}, {"file": "a.txt", "title": ["a"]},
    {"file": "a.txt", "published": "2025-02-30"}, {"file": "a.txt", "published": True}, {"file": "a.txt", "published": 2025.0},
    {"file": "a.txt", "sha256": "abc"}, {"file": "a.pdf"}, {"file": "../a.txt"}, {"file": ".a.txt"}, {"file": 12},
    {"file": None}, {}, {"key": "a"}, {"file": "a.txt", "colour": "red"}, {"file": "a.txt", 1: "x"},
]


@pytest.mark.parametrize("values", ENTRIES, ids=[repr(v) for v in ENTRIES])
def test_an_entry_read_without_pydantic_is_the_models(values):
    from pydantic import ValidationError

    plain = C._plain_entry(values)
    try:
        model = C._entry_model().model_validate(values)
    except ValidationError:
        assert plain is None  # everything the model refuses goes to the model, for its messages
        return
    if plain is not None:
        assert plain == C.ManifestEntry(**{name: getattr(model, name) for name in C.ENTRY_FIELDS})
        assert [type(getattr(plain, n)) for n in C.ENTRY_FIELDS] == [type(getattr(model, n)) for n in C.ENTRY_FIELDS]


def test_a_valid_manifest_of_text_values_is_read_without_pydantic():
    code = ("import sys; from etnc_db.extract import corpus as C; "
            f"entries, problems = C.parse_manifest({GOOD!r}); "
            "assert entries and not problems, problems; assert 'pydantic' not in sys.modules, 'pydantic imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_bad_entry_is_reported_at_once():
    problems = manifest_problems("""\
        documents:
          - file: a.txt
            kind: blog
          - file: b.txt
            key: B
            extra: 1
          - file: c.txt
        """)
    assert [p.split(":")[1] for p in problems] == ["3", "5", "6"]


def test_no_or_empty_manifest_is_no_entries(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    assert C.read_manifest(folder).ok and C.read_manifest(folder).entries == []
    (folder / C.MANIFEST).write_text("# nothing yet\n")
    assert C.read_manifest(folder).ok and C.scan_corpus(folder).files[0].key == "a"


def test_manifest_not_utf8(tmp_path):
    folder = make(tmp_path / "c", {})
    (folder / C.MANIFEST).write_bytes(b"documents:\n  - file: \xff.txt\n")
    assert [str(p) for p in C.read_manifest(folder).problems] == ["sources.yaml:2: invalid UTF-8 at byte 21"]


def test_yaml_lines_keeps_item_lines_and_allows_merge_overrides():
    data = parse_yaml_with_lines("items:\n  - a\n  - b: 1\nbase: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n", "f.yaml")
    assert isinstance(data["items"], LineList) and data["items"].item_lines == [2, 3]
    assert data["c"] == {"x": 2}
    with pytest.raises(YamlSyntaxError, match=r"f.yaml:1: malformed YAML: duplicate key 'a'"):
        parse_yaml_with_lines("{a: 1, a: 2}", "f.yaml")


# --------------------------------------------------------------------------- adding


def incoming(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    folder = make(tmp_path / "incoming", files)
    return [folder / name for name in files]


HEADED = """\
# Manifest (header comment)
documents:
  # the report
  - file: a.txt
    key: alpha  # curated key
    title: "Alpha"
    kind: report
    sha256: {sha_a}

  # a news item
  - file: b.txt
    key: b
    kind: news_article
    sha256: {sha_b}
    notes: "kept"
# trailing comment
"""


def headed(tmp_path: Path) -> Path:
    return make(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B}, HEADED.format(sha_a=sha(TEXT_A), sha_b=sha(TEXT_B)))


def detect(text: str) -> dict:
    return {"title": text.splitlines()[0], "publisher": 'The "Daily"', "published": "2025-03"}


def test_add_new_file(tmp_path):
    folder = headed(tmp_path)
    before = (folder / C.MANIFEST).read_text()
    [path] = incoming(tmp_path, {"Gamma Story.txt": TEXT_C})
    added = C.add_documents([path], folder, detect)
    assert added == [C.Added("gamma-story", "Gamma Story.txt", "added", sha(TEXT_C), path)]
    assert (folder / "Gamma Story.txt").read_text() == TEXT_C
    after = (folder / C.MANIFEST).read_text()
    new_lines = (
        '  - file: "Gamma Story.txt"\n'
        "    key: gamma-story\n"
        '    title: "Gamma newsletter"\n'
        '    publisher: "The \\"Daily\\""\n'
        '    published: "2025-03"\n'
        "    kind: news_article\n"
        f"    sha256: {sha(TEXT_C)}\n"
    )
    assert after == before.replace("# trailing comment\n", new_lines + "# trailing comment\n")
    corpus = C.scan_corpus(folder)
    assert lines(corpus) == []
    gamma = next(f for f in corpus.files if f.key == "gamma-story")
    assert (gamma.kind, gamma.title, gamma.publisher, gamma.published) == \
        ("news_article", "Gamma newsletter", 'The "Daily"', "2025-03")


def test_add_same_file_again_changes_nothing(tmp_path):
    folder = headed(tmp_path)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    C.add_documents([path], folder, detect)
    before = snapshot(folder)
    assert C.add_documents([path], folder, detect) == [C.Added("g", "g.txt", "unchanged", sha(TEXT_C), path)]
    assert C.add_documents([folder / "a.txt"], folder) == [C.Added("alpha", "a.txt", "unchanged", sha(TEXT_A), folder / "a.txt")]
    assert snapshot(folder) == before


def test_add_updated_content_for_the_same_key(tmp_path):
    folder = headed(tmp_path)
    before = (folder / C.MANIFEST).read_text()
    [path] = incoming(tmp_path, {"b.txt": TEXT_B + "A correction.\n"})
    new_sha = sha(TEXT_B + "A correction.\n")
    assert C.add_documents([path], folder, detect) == [C.Added("b", "b.txt", "updated", new_sha, path)]
    assert (folder / "b.txt").read_text() == TEXT_B + "A correction.\n"
    assert (folder / C.MANIFEST).read_text() == before.replace(sha(TEXT_B), new_sha)  # nothing else changes
    assert lines(C.scan_corpus(folder)) == []


def test_add_name_clash_with_another_document_is_refused(tmp_path):
    folder = headed(tmp_path)
    before = snapshot(folder)
    [path] = incoming(tmp_path, {"a.txt": "A different document that happens to be called a.txt\n"})
    with pytest.raises(C.CorpusProblems) as info:
        C.add_documents([path], folder)
    assert str(info.value) == (
        f"{path}: a.txt in the corpus folder is document 'alpha', with different content; rename the new "
        "file to add it as another document, or remove 'alpha' first")
    assert snapshot(folder) == before


def test_add_refuses_content_already_in_the_corpus(tmp_path):
    folder = headed(tmp_path)
    [path] = incoming(tmp_path, {"copy.txt": TEXT_A})
    with pytest.raises(C.CorpusProblems, match=r"copy.txt: same content as a.txt$"):
        C.add_documents([path], folder)


def test_add_a_folder_makes_keys_unique(tmp_path):
    folder = headed(tmp_path)
    source = make(tmp_path / "in", {"Alpha.txt": "Another alpha\n", "b.md": "Another b\n", "skip.pdf": "x"})
    added = C.add_documents([source], folder)
    assert [(a.file, a.key, a.action) for a in added] == [("Alpha.txt", "alpha-2", "added"), ("b.md", "b-2", "added")]
    assert lines(C.scan_corpus(folder)) == []


def test_add_file_already_dropped_in_the_folder_gets_an_entry(tmp_path):
    folder = headed(tmp_path)
    (folder / "dropped.txt").write_text(TEXT_C)
    before = snapshot(folder)
    added = C.add_documents([folder / "dropped.txt"], folder, detect)
    assert [(a.key, a.action) for a in added] == [("dropped", "added")]
    after = snapshot(folder)
    assert after.pop(C.MANIFEST) != before.pop(C.MANIFEST) and after == before  # no file copied
    assert C.read_manifest(folder).by_key["dropped"].title == "Gamma newsletter"


def test_add_restores_a_listed_file_that_went_missing(tmp_path):
    folder = headed(tmp_path)
    (folder / "b.txt").unlink()
    [path] = incoming(tmp_path, {"b.txt": TEXT_B})
    assert [a.action for a in C.add_documents([path], folder)] == ["added"]
    assert lines(C.scan_corpus(folder)) == []


def test_add_into_an_empty_folder_creates_the_manifest(tmp_path):
    folder = make(tmp_path / "c", {})
    [path] = incoming(tmp_path, {"x.md": TEXT_A})
    C.add_documents([path], folder)
    text = (folder / C.MANIFEST).read_text()
    assert text.startswith("# Manifest") and "  - file: x.md\n    key: x\n    kind: news_article\n" in text
    assert [f.key for f in C.scan_corpus(folder).files] == ["x"]


@pytest.mark.parametrize("value", ["documents:\n", "documents: []  # none yet\n", "documents: null\n"])
def test_add_to_an_empty_documents_list(tmp_path, value):
    folder = make(tmp_path / "c", {}, "# head\n" + value)
    [path] = incoming(tmp_path, {"x.txt": TEXT_A})
    C.add_documents([path], folder)
    text = (folder / C.MANIFEST).read_text()
    assert text.startswith("# head\ndocuments:") and [e.key for e in C.read_manifest(folder).entries] == ["x"]


def test_add_refuses_bad_inputs_all_or_nothing(tmp_path, no_hang):
    folder = headed(tmp_path)
    before = snapshot(folder)
    source = make(tmp_path / "in", {"good.txt": TEXT_C, "empty.txt": "\n", "notes.pdf": "x"})
    (source / "bin.txt").write_bytes(b"abc\x00def")
    (source / "latin.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    os.mkfifo(source / "pipe.txt")
    with open(source / "big.txt", "wb") as f:
        f.truncate(C.MAX_DOCUMENT_BYTES + 1)
    paths = [source / n for n in ("good.txt", "empty.txt", "bin.txt", "latin.txt", "pipe.txt", "big.txt",
                                  "notes.pdf", "missing.txt")]
    with pytest.raises(C.CorpusProblems) as info:
        C.add_documents(paths, folder)
    assert [str(p).removeprefix(f"{source}/") for p in info.value.problems] == [
        "empty.txt: empty file (no text)",
        "bin.txt:1: binary file (contains NUL bytes)",
        "latin.txt:1: invalid UTF-8 at byte 3 (0xe9)",
        "pipe.txt: is a FIFO (named pipe), not a regular file",
        f"big.txt: file is {C.MAX_DOCUMENT_BYTES + 1} bytes, over the 20000000-byte limit",
        "notes.pdf: file 'notes.pdf' must be a .txt or .md file whose name does not start with '.'",
        "missing.txt: file does not exist",
    ]
    assert snapshot(folder) == before


def test_add_refuses_two_inputs_with_one_name(tmp_path):
    one = make(tmp_path / "one", {"x.txt": TEXT_A})
    two = make(tmp_path / "two", {"x.txt": TEXT_B})
    with pytest.raises(C.CorpusProblems, match="another file of this load has the same name"):
        C.add_documents([one / "x.txt", two / "x.txt"], headed(tmp_path))


def test_add_refuses_bad_detected_metadata(tmp_path):
    folder = headed(tmp_path)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    with pytest.raises(C.CorpusProblems, match=r"detected metadata refused: published 'March 2025' is not YYYY"):
        C.add_documents([path], folder, lambda text: {"published": "March 2025"})
    with pytest.raises(C.CorpusProblems, match=r"metadata detection gave unknown fields \['author'\]"):
        C.add_documents([path], folder, lambda text: {"author": "X"})
    accepted = C.add_documents([path], folder, lambda text: {"kind": "report", "published": None})
    assert C.read_manifest(folder).by_key[accepted[0].key].kind == "report"


def test_add_refuses_while_the_manifest_is_invalid(tmp_path):
    folder = make(tmp_path / "c", {}, "documents:\n  - file: a.txt\n    colour: red\n")
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    with pytest.raises(C.CorpusProblems) as info:
        C.add_documents([path], folder)
    assert str(info.value).splitlines() == [
        "sources.yaml:3: unknown key 'colour' (allowed: file, key, title, publisher, published, kind, sha256, notes)",
        "sources.yaml: fix the manifest before adding documents",
    ]


def test_add_refuses_while_another_command_holds_the_folder(tmp_path):
    folder = headed(tmp_path)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(C.CorpusProblems, match="the folder is in use by another command"):
            C.add_documents([path], folder)
    finally:
        os.close(fd)
    with C.corpus_lock(folder, shared=True), C.corpus_lock(folder, shared=True):  # readers share it
        with pytest.raises(C.CorpusProblems, match="the folder is in use by another command"):
            C.remove_documents(["b"], folder)
    assert [a.action for a in C.add_documents([path], folder)] == ["added"]


def test_add_refuses_an_input_changed_after_its_check(tmp_path):
    folder = headed(tmp_path)
    before = snapshot(folder)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})

    def detect_and_edit(text):
        path.write_text("rewritten meanwhile\n")
        return {}

    with pytest.raises(C.CorpusProblems, match=r"g.txt: file changed while being added \(run again\)$"):
        C.add_documents([path], folder, detect_and_edit)
    assert snapshot(folder) == before


def test_add_keeps_crlf_line_endings(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A})
    (folder / C.MANIFEST).write_bytes(b"# head\r\ndocuments:\r\n  - file: a.txt\r\n    key: alpha\r\n")
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    C.add_documents([path], folder)
    data = (folder / C.MANIFEST).read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") == 8
    C.remove_documents(["alpha"], folder)
    assert (folder / C.MANIFEST).read_bytes().startswith(b"# head\r\ndocuments:\r\n  - file: g.txt\r\n")


def test_add_a_file_whose_bytes_a_refused_copy_also_has(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "again.txt": TEXT_A})
    assert [a.action for a in C.add_documents([folder / "a.txt"], folder)] == ["added"]
    assert lines(C.scan_corpus(folder)) == ["again.txt: same content as a.txt"]


def test_add_notices_a_manifest_edited_meanwhile(tmp_path):
    folder = headed(tmp_path)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})

    def edit_while_running(text):
        with open(folder / C.MANIFEST, "a") as f:
            f.write("# edited by hand\n")
        return {}

    with pytest.raises(C.CorpusProblems, match="sources.yaml: changed while this command ran"):
        C.add_documents([path], folder, edit_while_running)
    assert not (folder / "g.txt").exists()


def test_add_quotes_keys_yaml_would_read_as_something_else(tmp_path):
    folder = headed(tmp_path)
    paths = incoming(tmp_path, {"2024.txt": "Year file\n", "null.md": "Null file\n", "yes.txt": "Yes file\n"})
    assert [a.key for a in C.add_documents(paths, folder)] == ["2024", "null", "yes"]
    text = (folder / C.MANIFEST).read_text()
    assert 'key: "2024"' in text and 'key: "null"' in text and 'key: "yes"' in text
    assert [e.key for e in C.read_manifest(folder).entries][-3:] == ["2024", "null", "yes"]


def test_update_inserts_a_missing_sha256_after_kind(tmp_path):
    folder = make(tmp_path / "c", {"b.txt": TEXT_B}, """\
        documents:
          - file: b.txt
            kind: news_article  # from the site
            notes: |
              a block
              of notes
        """)
    new = TEXT_B + "More.\n"
    [path] = incoming(tmp_path, {"b.txt": new})
    assert [a.action for a in C.add_documents([path], folder)] == ["updated"]
    assert (folder / C.MANIFEST).read_text() == textwrap.dedent(f"""\
        documents:
          - file: b.txt
            kind: news_article  # from the site
            sha256: {sha(new)}
            notes: |
              a block
              of notes
        """)


def test_update_several_entries_in_one_load(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B, "c.txt": TEXT_C}, f"""\
        documents:
          - file: a.txt
            kind: report
          - file: b.txt
            sha256: {sha(TEXT_B)}
          - file: c.txt
            kind: newsletter
        """)
    paths = incoming(tmp_path, {"a.txt": "A2\n", "b.txt": "B2\n", "c.txt": "C2\n"})
    assert [a.action for a in C.add_documents(paths, folder)] == ["updated"] * 3
    assert (folder / C.MANIFEST).read_text() == textwrap.dedent(f"""\
        documents:
          - file: a.txt
            kind: report
            sha256: {sha("A2" + chr(10))}
          - file: b.txt
            sha256: {sha("B2" + chr(10))}
          - file: c.txt
            kind: newsletter
            sha256: {sha("C2" + chr(10))}
        """)


def test_update_keeps_an_end_of_line_comment_on_sha256(tmp_path):
    folder = make(tmp_path / "c", {"b.txt": TEXT_B}, f"documents:\n  - file: b.txt\n    sha256: {sha(TEXT_B)}  # checked\n")
    [path] = incoming(tmp_path, {"b.txt": "New\n"})
    C.add_documents([path], folder)
    assert (folder / C.MANIFEST).read_text() == f"documents:\n  - file: b.txt\n    sha256: {sha('New' + chr(10))}  # checked\n"


def test_remove_entry_with_block_notes_and_other_indentation(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B}, """\
        documents:
        - file: a.txt
          notes: >
            folded
            notes

        # about b
        - file: b.txt
          key: b
        """)
    C.remove_documents(["a"], folder)
    assert (folder / C.MANIFEST).read_text() == "documents:\n# about b\n- file: b.txt\n  key: b\n"
    [path] = incoming(tmp_path, {"c.txt": TEXT_C})
    C.add_documents([path], folder)
    assert (folder / C.MANIFEST).read_text().endswith("- file: b.txt\n  key: b\n- file: c.txt\n  key: c\n"
                                                      f"  kind: news_article\n  sha256: {sha(TEXT_C)}\n")


def test_flow_style_manifest_is_not_edited(tmp_path):
    folder = make(tmp_path / "c", {"a.txt": TEXT_A}, "documents: [{file: a.txt, key: alpha}]\n")
    before = snapshot(folder)
    with pytest.raises(C.CorpusProblems, match=r"sources.yaml:1: cannot edit this entry automatically"):
        C.remove_documents(["alpha"], folder)
    assert snapshot(folder) == before


# --------------------------------------------------------------------------- removing


def test_remove_entry_and_file_keeping_other_comments(tmp_path):
    folder = headed(tmp_path)
    assert C.remove_documents(["alpha"], folder) == [C.Removed("alpha", "a.txt", True, True)]
    assert not (folder / "a.txt").exists()
    assert (folder / C.MANIFEST).read_text() == textwrap.dedent(f"""\
        # Manifest (header comment)
        documents:
          # a news item
          - file: b.txt
            key: b
            kind: news_article
            sha256: {sha(TEXT_B)}
            notes: "kept"
        # trailing comment
        """)
    assert lines(C.scan_corpus(folder)) == []


def test_remove_last_entry_keeps_trailing_comment(tmp_path):
    folder = headed(tmp_path)
    C.remove_documents(["b"], folder)
    text = (folder / C.MANIFEST).read_text()
    full = HEADED.format(sha_a=sha(TEXT_A), sha_b=sha(TEXT_B))
    assert text == full[: full.index("  # a news item")] + "# trailing comment\n"


def test_remove_unknown_key_changes_nothing(tmp_path):
    folder = headed(tmp_path)
    before = snapshot(folder)
    with pytest.raises(C.CorpusProblems) as info:
        C.remove_documents(["alpha", "nope"], folder)
    assert str(info.value) == "nope: no such document (not in sources.yaml, and no file of the corpus folder has this key)"
    assert snapshot(folder) == before


def test_remove_generic_file_and_entry_without_file(tmp_path):
    folder = headed(tmp_path)
    (folder / "Loose Note.md").write_text(TEXT_C)
    (folder / "b.txt").unlink()
    removed = C.remove_documents(["loose-note", "b"], folder)
    assert removed == [C.Removed("loose-note", "Loose Note.md", False, True), C.Removed("b", "b.txt", True, False)]
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", C.MANIFEST]
    assert [e.key for e in C.read_manifest(folder).entries] == ["alpha"]


def test_remove_by_file_name_says_which_key(tmp_path):
    folder = headed(tmp_path)
    with pytest.raises(C.CorpusProblems) as info:
        C.remove_documents(["a.txt"], folder)
    assert str(info.value) == ("a.txt: no such document (not in sources.yaml, and no file of the corpus folder has "
                               "this key); a.txt is a file name, its document key is 'alpha'")


def test_remove_refuses_a_directory_and_removes_a_dangling_link(tmp_path):
    folder = headed(tmp_path)
    (folder / "d.txt").mkdir()
    (folder / "dl.txt").symlink_to("nowhere.txt")
    before = snapshot(folder)
    with pytest.raises(C.CorpusProblems, match=r"^d.txt: is a directory, not a regular file; remove it by hand$"):
        C.remove_documents(["d", "dl"], folder)
    assert snapshot(folder) == before
    assert C.remove_documents(["dl"], folder) == [C.Removed("dl", "dl.txt", False, True)]
    assert not os.path.lexists(folder / "dl.txt")


def test_add_over_a_refused_file_is_refused(tmp_path):
    folder = headed(tmp_path)
    (folder / "d.txt").mkdir()
    [path] = incoming(tmp_path, {"d.txt": TEXT_C})
    with pytest.raises(C.CorpusProblems) as info:
        C.add_documents([path], folder)
    assert str(info.value) == (f"{path}: d.txt in the corpus folder is refused (is a directory, not a regular "
                               "file); fix or remove it first")


def test_add_then_remove_restores_the_manifest_bytes(tmp_path):
    folder = headed(tmp_path)
    before = snapshot(folder)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    C.add_documents([path], folder, detect)
    C.remove_documents(["g"], folder)
    assert snapshot(folder) == before


# --------------------------------------------------------------------------- all or nothing


def _count_renames(monkeypatch, run) -> int:
    calls = []
    real = C._replace
    monkeypatch.setattr(C, "_replace", lambda a, b: calls.append(1) or real(a, b))
    run()
    monkeypatch.setattr(C, "_replace", real)
    return len(calls)


def _failing_rename(monkeypatch, at: int):
    real = C._replace
    calls = []

    def replace(a, b):
        calls.append(1)
        if len(calls) == at:
            raise OSError(errno.EIO, "simulated failure")
        real(a, b)

    monkeypatch.setattr(C, "_replace", replace)


def _add_three(tmp_path: Path, folder: Path):
    paths = incoming(tmp_path, {"g.txt": TEXT_C, "h.md": "Another one\n", "b.txt": TEXT_B + "Update.\n"})
    return lambda: C.add_documents(paths, folder, detect)


def test_add_failing_at_any_rename_changes_nothing(tmp_path, monkeypatch):
    total = _count_renames(monkeypatch, _add_three(tmp_path / "probe", headed(tmp_path / "probe")))
    assert total == 5  # the manifest, then b.txt aside and in, g.txt, h.md
    for at in range(1, total + 1):
        folder = headed(tmp_path / f"run{at}")
        before = snapshot(folder)
        _failing_rename(monkeypatch, at)
        with pytest.raises(C.CorpusProblems, match=r"cannot change the corpus folder \(simulated failure\); nothing"):
            _add_three(tmp_path / f"run{at}", folder)()
        assert snapshot(folder) == before, f"rename {at}"


def test_remove_failing_at_any_rename_changes_nothing(tmp_path, monkeypatch):
    total = _count_renames(monkeypatch, lambda: C.remove_documents(["alpha", "b"], headed(tmp_path / "probe")))
    assert total == 3  # a.txt and b.txt aside, then the manifest
    for at in range(1, total + 1):
        folder = headed(tmp_path / f"run{at}")
        before = snapshot(folder)
        _failing_rename(monkeypatch, at)
        with pytest.raises(C.CorpusProblems, match=r"cannot change the corpus folder \(simulated failure\)"):
            C.remove_documents(["alpha", "b"], folder)
        assert snapshot(folder) == before, f"rename {at}"


def test_add_failing_while_staging_changes_nothing(tmp_path, monkeypatch):
    folder = headed(tmp_path)
    before = snapshot(folder)
    real = C._write_temp
    calls = []

    def write_temp(root, name, data):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(root, name, data)

    monkeypatch.setattr(C, "_write_temp", write_temp)
    with pytest.raises(C.CorpusProblems, match=r"cannot change the corpus folder \(no space left on device\)"):
        _add_three(tmp_path, folder)()
    assert snapshot(folder) == before


def test_add_interrupted_by_ctrl_c_changes_nothing(tmp_path, monkeypatch):
    folder = headed(tmp_path)
    before = snapshot(folder)
    real = C._replace
    calls = []

    def replace(a, b):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(a, b)

    monkeypatch.setattr(C, "_replace", replace)
    with pytest.raises(KeyboardInterrupt):
        _add_three(tmp_path, folder)()
    assert snapshot(folder) == before


def test_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    folder = headed(tmp_path)
    before = snapshot(folder)
    real_open = os.open

    def no_create(path, flags, *args, **kw):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", no_create)
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    with pytest.raises(C.CorpusProblems) as info:
        C.add_documents([path], folder)
    assert str(info.value) == f"{folder}: cannot change the corpus folder (permission denied); nothing was changed"
    assert snapshot(folder) == before


def test_edit_checked_by_parsing_again(tmp_path, monkeypatch):
    folder = headed(tmp_path)
    before = snapshot(folder)
    monkeypatch.setattr(C, "_append_entries", lambda text, entries: text)  # an edit that loses the entry
    [path] = incoming(tmp_path, {"g.txt": TEXT_C})
    with pytest.raises(C.CorpusProblems, match="the edited manifest would be wrong"):
        C.add_documents([path], folder)
    assert snapshot(folder) == before
