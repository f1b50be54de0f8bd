"""Argos package management: install, list, remove, the index and the installer's checks."""

from __future__ import annotations

import functools
import http.server
import json
import stat
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from pipeline import packages
from pipeline.errors import PackageError
from pipeline.packages import TokenizerKind
from tests.modelkit import VARIANTS, isolate_argos, package_archive, tree

KINDS = {
    "plain": TokenizerKind.SENTENCEPIECE,
    "prefix": TokenizerKind.SENTENCEPIECE,
    "nllb": TokenizerKind.SENTENCEPIECE,
    "marian": TokenizerKind.SPM_PAIR,
    "bpe": TokenizerKind.BPE,
}
INDEX_ENTRY = {
    "package_version": "1.0",
    "argos_version": "1.9",
    "from_code": "en",
    "from_name": "English",
    "to_code": "my",
    "to_name": "Burmese",
    "code": "translate-en_my",
}


@pytest.fixture(autouse=True)
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate Argos settings, index and packages in the test's temporary directory."""
    return isolate_argos(tmp_path, monkeypatch)


@pytest.fixture
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the plain en→my archive."""
    return package_archive(tmp_path_factory)


def one_line(err: pytest.ExceptionInfo[PackageError]) -> str:
    """Return the error message, asserting it is a single line."""
    message = str(err.value)
    assert message and "\n" not in message
    return message


@pytest.mark.parametrize("variant", VARIANTS)
def test_install_list_remove(
    variant: str, argos_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each package variant installs in Argos's layout, lists with its details and removes."""
    installed = packages.install_package(package_archive(tmp_path_factory, variant))
    assert installed.code == "translate-en_my"
    assert (installed.from_code, installed.to_code, installed.version) == ("en", "my", "1.0")
    assert installed.argos_version == "1.9"
    assert installed.tokenizer is KINDS[variant]
    assert installed.target_prefix == ("__my__" if variant in ("prefix", "nllb") else "")
    assert installed.path == argos_dir / "translate-en_my-1_0"
    assert installed.size == sum(p.stat().st_size for p in installed.path.rglob("*") if p.is_file())
    assert (installed.model_dir / "model.bin").is_file()
    assert packages.installed_packages() == [installed]
    assert packages.find_package("en", "my") == installed
    assert packages.find_package("my", "en") is None

    assert packages.remove_package("translate-en_my") == installed
    assert packages.installed_packages() == []
    assert tree(argos_dir) == []


def test_stock_argostranslate_reads_our_installs(argos_dir: Path, plain: Path) -> None:
    """A package we install is one stock argostranslate recognises, and the reverse."""
    from argostranslate.package import get_installed_packages

    ours = packages.install_package(plain)
    (stock,) = get_installed_packages(path=[argos_dir])
    assert (stock.from_code, stock.to_code, stock.package_version) == ("en", "my", "1.0")
    assert stock.package_path == ours.path

    packages.remove_package(ours.code)
    with zipfile.ZipFile(plain) as zf:  # what argostranslate's installer does
        zf.extractall(argos_dir)
    assert [p.code for p in packages.installed_packages()] == ["translate-en_my"]


def test_packages_dir_follows_the_environment(argos_dir: Path) -> None:
    """ARGOS_PACKAGES_DIR decides where packages live, read at call time."""
    assert packages.packages_dir() == argos_dir
    assert packages.installed_packages() == []


def test_remove_unknown_package_names_the_list_command() -> None:
    """Removing a package that is not installed says how to see what is."""
    with pytest.raises(PackageError) as err:
        packages.remove_package("translate-xx_yy")
    assert "pipeline models list" in one_line(err)


def test_language_names_come_from_babel() -> None:
    """Language codes get English and native names, Argos codes too; unknown codes stay codes."""
    assert packages.language_name("my") == "Burmese — မြန်မာ"
    assert packages.language_name("en") == "English"
    assert packages.language_name("zt").startswith("Chinese")
    assert packages.language_name("qq") == "qq"


# --- the installer's checks -------------------------------------------------------------


def entries_of(archive: Path) -> dict[str, bytes]:
    """Return a good archive's file entries."""
    with zipfile.ZipFile(archive) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


def write_zip(path: Path, entries: dict[str, bytes], extra: Sequence[zipfile.ZipInfo] = ()) -> Path:
    """Write entries (and raw ZipInfo entries) into a deflated zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for info in extra:
            zf.writestr(info, b"/etc/passwd")
    return path


TOP = "translate-en_my-1_0/"
Mutation = Callable[[dict[str, bytes], Path], Path]


def drop(*names: str) -> Mutation:
    """Return a mutation that removes entries by name relative to the package top."""

    def mutate(entries: dict[str, bytes], dest: Path) -> Path:
        kept = {k: v for k, v in entries.items() if not k.removeprefix(TOP).startswith(names)}
        return write_zip(dest, kept)

    return mutate


def replace(name: str, data: bytes) -> Mutation:
    """Return a mutation that sets one entry's content."""

    def mutate(entries: dict[str, bytes], dest: Path) -> Path:
        return write_zip(dest, {**entries, TOP + name: data})

    return mutate


def add(name: str, data: bytes = b"x") -> Mutation:
    """Return a mutation that adds one raw entry name."""

    def mutate(entries: dict[str, bytes], dest: Path) -> Path:
        return write_zip(dest, {**entries, name: data})

    return mutate


def symlink(entries: dict[str, bytes], dest: Path) -> Path:
    """Add a symbolic link entry pointing at /etc/passwd."""
    info = zipfile.ZipInfo(TOP + "model/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return write_zip(dest, entries, [info])


def not_a_zip(entries: dict[str, bytes], dest: Path) -> Path:
    """Write a file that is not a zip archive."""
    dest.write_text("this is not a zip archive")
    return dest


def corrupt_member(entries: dict[str, bytes], dest: Path) -> Path:
    """Write a zip whose model weights fail their CRC check on extraction."""
    write_zip(dest, entries)
    data = bytearray(dest.read_bytes())
    offset = data.find(b"model/model.bin") + 200  # well inside that member's data
    data[offset : offset + 64] = bytes(64)
    dest.write_bytes(bytes(data))
    return dest


BAD_ARCHIVES: dict[str, tuple[Mutation, str]] = {
    "not a zip": (not_a_zip, "not a zip archive"),
    "two top dirs": (add("other-package/README.md"), "exactly one top directory"),
    "top-level file": (add("README.md"), "exactly one top directory"),
    "dot-dot entry": (add(TOP + "../escape.txt"), "outside the package"),
    "absolute path": (add("/tmp/escape.txt"), "absolute"),
    "symlink entry": (symlink, "symbolic link"),
    "zip bomb": (replace("padding.bin", bytes(8 * 1024**2)), "zip bomb"),
    "no metadata": (drop("metadata.json"), "no metadata.json"),
    "bad metadata": (replace("metadata.json", b"{not json"), "metadata.json is invalid"),
    "metadata without codes": (
        replace("metadata.json", json.dumps({"package_version": "1.0"}).encode()),
        "does not name from_code",
    ),
    "no model dir": (drop("model/"), "no CTranslate2 model"),
    "no tokenizer": (drop("sentencepiece.model"), "no tokenizer"),
    "damaged member": (corrupt_member, "damaged zip archive"),
}


@pytest.mark.parametrize("case", BAD_ARCHIVES, ids=str)
def test_bad_archive_is_refused_and_leaves_nothing(
    case: str,
    argos_dir: Path,
    plain: Path,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A bad archive raises one clear line and leaves the packages directory as it was."""
    packages.install_package(package_archive(tmp_path_factory, "plain", "hi", "en"))
    before = tree(argos_dir)
    mutate, expected = BAD_ARCHIVES[case]
    bad = mutate(entries_of(plain), tmp_path / "bad.argosmodel")
    with pytest.raises(PackageError) as err:
        packages.install_package(bad)
    assert expected in one_line(err)
    assert tree(argos_dir) == before


def test_total_size_limit(argos_dir: Path, plain: Path) -> None:
    """An archive unpacking beyond the size limit is refused before anything is written."""
    with pytest.raises(PackageError) as err:
        packages.install_package(plain, max_bytes=100_000)
    assert "would unpack to" in one_line(err)
    assert tree(argos_dir) == []


def test_already_installed_is_refused(argos_dir: Path, plain: Path, tmp_path: Path) -> None:
    """A second package for an installed pair is refused, even under another directory name."""
    packages.install_package(plain)
    before = tree(argos_dir)
    renamed = {k.replace(TOP, "en_my/", 1): v for k, v in entries_of(plain).items()}
    for archive in (plain, write_zip(tmp_path / "renamed.argosmodel", renamed)):
        with pytest.raises(PackageError) as err:
            packages.install_package(archive)
        assert "already installed" in one_line(err)
        assert "pipeline models remove translate-en_my" in str(err.value)
    assert tree(argos_dir) == before


def test_missing_file_is_refused() -> None:
    """Installing a path that does not exist says so."""
    with pytest.raises(PackageError) as err:
        packages.install_package(Path("no-such.argosmodel"))
    assert "does not exist" in one_line(err)


# --- the index ----------------------------------------------------------------------------


def test_index_offline_without_cache_says_so() -> None:
    """With the index unreachable and nothing cached, one line says both."""
    with pytest.raises(PackageError) as err:
        packages.available_packages()
    message = one_line(err)
    assert "cannot reach the package index at http://127.0.0.1:9/index.json" in message
    assert "no cached copy exists" in message


def test_index_lists_from_cache_offline(tmp_path: Path) -> None:
    """A cached index lists offline; refreshing it offline says a cached copy exists."""
    cache = packages.index_cache()
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps([INDEX_ENTRY, {"type": "sbd", "from_codes": ["en"]}]))
    (listed,) = packages.available_packages()
    assert (listed.code, listed.from_code, listed.to_code, listed.version) == (
        "translate-en_my",
        "en",
        "my",
        "1.0",
    )
    with pytest.raises(PackageError) as err:
        packages.available_packages(refresh=True)
    assert "a cached copy exists" in one_line(err)


def test_unreadable_cache_suggests_refresh() -> None:
    """A corrupt cached index names the refresh command."""
    cache = packages.index_cache()
    cache.parent.mkdir(parents=True)
    cache.write_text("{broken")
    with pytest.raises(PackageError) as err:
        packages.available_packages()
    assert "--refresh" in one_line(err)


@pytest.fixture
def index_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Serve a folder on loopback as the package index; yield the folder."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{server.server_port}")
    try:
        yield root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging each request."""

    def log_message(self, format: str, *args: object) -> None:
        """Log nothing."""


def serve_index(root: Path, archive_name: str) -> None:
    """Write an index whose en→my entry links to archive_name on the same server."""
    base = packages.index_url().removesuffix("index.json")
    entry = {**INDEX_ENTRY, "links": ["ipfs://skipped", base + archive_name]}
    (root / "index.json").write_text(json.dumps([entry]))


def test_install_from_index_downloads_and_installs(
    index_server: Path, argos_dir: Path, plain: Path
) -> None:
    """FROM TO downloads the index's package over http, installs it and drops the download."""
    (index_server / "pkg.argosmodel").write_bytes(plain.read_bytes())
    serve_index(index_server, "pkg.argosmodel")
    installed = packages.install_from_index("en", "my")
    assert installed.path == argos_dir / "translate-en_my-1_0"
    assert packages.index_cache().is_file()
    assert tree(packages.downloads_dir()) == []
    with pytest.raises(PackageError) as err:
        packages.install_from_index("en", "my")
    assert "already installed" in one_line(err)


def test_download_refuses_what_is_not_a_zip(index_server: Path) -> None:
    """A download that is not a zip archive is deleted and reported."""
    (index_server / "pkg.argosmodel").write_text("<html>not found</html>")
    serve_index(index_server, "pkg.argosmodel")
    with pytest.raises(PackageError) as err:
        packages.download_package("en", "my")
    assert "not a zip archive" in one_line(err)
    assert tree(packages.downloads_dir()) == []


def test_pair_missing_from_index(index_server: Path) -> None:
    """A pair the index lacks points at the available command."""
    serve_index(index_server, "pkg.argosmodel")
    with pytest.raises(PackageError) as err:
        packages.download_package("my", "en")
    assert "pipeline models available" in one_line(err)


def test_argos_codes_are_found_by_their_canonical_tag(
    argos_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A package Argos codes ``en→zt`` translates ``--to zh-Hant``, however it is spelled."""
    from pipeline.engines.argos import ArgosEngine

    installed = packages.install_package(package_archive(tmp_path_factory, "plain", "en", "zt"))
    assert packages.find_package("en", "zh-Hant") == installed
    assert packages.find_package("EN", "zh_Hant") == installed
    engine = ArgosEngine()
    assert engine.route("en", "zh-Hant") == (installed,)
    assert engine.supports("en", "zh-Hant") and not engine.supports("en", "zh")
