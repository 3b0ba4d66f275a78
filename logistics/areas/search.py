"""Area search for pickers: by name or code, with the parent chain, within a user's wilayah."""

import re
import threading
import time
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from sqlalchemy import func, select

from logistics.areas.models import LEVELS, Area
from logistics.core.extensions import db
from logistics.core.scope import Scope

# What a picker offers unless told otherwise: the provinsi is the office itself.
PICKER_LEVELS = ("kab_kota", "kecamatan", "kelurahan")
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
KIND_LABELS = {
    "provinsi": ("Provinsi", "Prov."),
    "kabupaten": ("Kabupaten", "Kab."),
    "kota": ("Kota", "Kota"),
    "kecamatan": ("Kecamatan", "Kec."),
    "desa": ("Desa", "Desa"),
    "kelurahan": ("Kelurahan", "Kel."),
}
LEVEL_KIND = {"provinsi": "provinsi", "kab_kota": "kabupaten", "kecamatan": "kecamatan"}
_CODE_QUERY = re.compile(r"^[\d.\s]+$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents dropped, punctuation as single spaces: how names are compared."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return _NOT_WORD.sub(" ", plain.lower()).strip()


@dataclass(frozen=True)
class Entry:
    """One area as the picker shows it; `chain` names it with its parents up to the kab/kota."""

    code: str
    level: str
    kind: str
    name: str
    parent_code: str | None
    label: str
    chain: str
    folded_name: str
    folded_chain: str
    digits: str

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "kind": KIND_LABELS[self.kind][0],
            "label": self.label,
            "chain": self.chain,
            "parent_code": self.parent_code,
        }


def _kind(level: str, kind: str | None, name: str) -> str:
    kind = (kind or "").lower()
    if kind in KIND_LABELS:
        return kind
    if level == "kab_kota":
        return "kota" if fold(name).startswith("kota") else "kabupaten"
    return LEVEL_KIND.get(level, "desa")


def _short_label(kind: str, name: str) -> str:
    """'Kab. Rejang Lebong', 'Desa Talang': the kind once, even when the name already says it."""
    full, short = KIND_LABELS[kind]
    bare = name
    for prefix in (full, short, short.rstrip(".")):
        if fold(bare).startswith(fold(prefix) + " "):
            bare = bare[len(prefix) :].lstrip(" .")
            break
    return f"{short} {bare}"


class _Shelf:
    """The areas of one level as one text each of bare names and of chains, one line an area,
    so that str.find does the scanning; positions map back to areas by bisection."""

    def __init__(self, indexes: list[int], names: list[str], chains: list[str]):
        self.indexes = indexes
        self.names, self.name_starts = _joined(names)
        self.chains, self.chain_starts = _joined(chains)

    def hits(self, needle: str, in_names: bool) -> list[int]:
        """Entry indexes of the areas whose name (or chain) holds the needle, in code order."""
        text, starts = (
            (self.names, self.name_starts) if in_names else (self.chains, self.chain_starts)
        )
        found, hits = text.find(needle), []
        while found != -1:
            line = bisect_right(starts, found) - 1
            hits.append(self.indexes[line])
            found = text.find(needle, starts[line + 1] if line + 1 < len(starts) else len(text))
        return hits


def _joined(lines: list[str]) -> tuple[str, list[int]]:
    """The lines as one text, each after a newline (so a name's start is "\\n" + word)."""
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return "".join("\n" + line for line in lines), starts


class AreaSearch:
    """Every current area of the office in memory, searched without touching the database.

    Areas are kept in code order, so an area and everything below it are one run of the list
    (found by bisection); each level's names and chains are one text searched by str.find,
    best matches first, so that a query costs a few milliseconds on a province of 6,000 desa.
    """

    def __init__(self, rows):
        base = {}
        for code, level, kind, name, parent_code in rows:
            kind = _kind(level, kind, name)
            base[code] = (level, kind, name, parent_code, _short_label(kind, name))
        self.entries: list[Entry] = []
        for code, (level, kind, name, parent_code, label) in sorted(base.items()):
            parts, node = [label], parent_code
            while node in base and base[node][0] != "provinsi":
                parts.append(base[node][4])
                node = base[node][3]
            chain = ", ".join(parts)
            bare = label[len(KIND_LABELS[kind][1]) + 1 :]
            self.entries.append(
                Entry(
                    code,
                    level,
                    kind,
                    name,
                    parent_code,
                    label,
                    chain,
                    fold(bare),
                    fold(chain),
                    code.replace(".", ""),
                )  # fmt: skip
            )
        self.by_code = {e.code: e for e in self.entries}
        self.codes = [e.code for e in self.entries]
        self.shelves = {}
        for level in LEVELS:
            indexes = [i for i, e in enumerate(self.entries) if e.level == level]
            self.shelves[level] = _Shelf(
                indexes,
                [self.entries[i].folded_name for i in indexes],
                [self.entries[i].folded_chain for i in indexes],
            )

    def _runs(self, codes) -> list[tuple[int, int]]:
        """Index ranges of the areas in or below the codes; everything for no codes."""
        if not codes:
            return [(0, len(self.entries))]
        runs = []
        for code in codes:
            start = bisect_left(self.codes, code)
            runs.append((start, bisect_left(self.codes, code + "/", start)))  # "/" follows "."
        return runs

    def _allowed(self, scope: Scope, purpose: str, parent: str) -> list[tuple[int, int]]:
        codes = scope.record if purpose == "record" else scope.see
        runs = self._runs(codes)
        if parent:
            ((low, high),) = self._runs([parent])
            if low < high and self.codes[low] == parent:
                low += 1  # the parent itself is not among its children
            runs = [(max(a, low), min(b, high)) for a, b in runs]
        return [(a, b) for a, b in runs if a < b]

    def candidates(self, scope: Scope, purpose: str, levels, parent: str) -> list[Entry]:
        return [
            e
            for a, b in self._allowed(scope, purpose, parent)
            for e in self.entries[a:b]
            if e.level in levels
        ]

    def find(
        self,
        text: str,
        scope: Scope,
        purpose: str = "see",
        levels=PICKER_LEVELS,
        parent: str = "",
        limit: int = DEFAULT_LIMIT,
    ) -> tuple[list[Entry], bool]:
        """(the best areas for the text, whether more matched than the limit).

        Digits search codes by prefix (dots optional). Words rank the areas whose name starts
        with them, then holds them at a word, then anywhere, then the areas whose parents'
        names hold every word; higher levels and then names in order within each. No text
        lists the candidates when they are few, else the highest level among them, so a person
        can narrow down step by step.
        """
        text = (text or "").strip()
        if _CODE_QUERY.match(text):
            return self._by_code(text, scope, purpose, levels, parent, limit)
        if not text:
            return self._first(scope, purpose, levels, parent, limit)
        words = fold(text).split()
        if not words:
            return [], False
        phrase, longest = " ".join(words), max(words, key=len)
        runs = self._allowed(scope, purpose, parent)
        levels = [level for level in LEVELS if level in levels]
        tiers = (("\n" + phrase, True), (" " + phrase, True), (phrase, True), (longest, False))
        found: list[Entry] = []
        seen: set[int] = set()
        for needle, in_names in tiers:
            for level in levels:
                tier = []
                for index in self.shelves[level].hits(needle, in_names):
                    if index in seen or not any(a <= index < b for a, b in runs):
                        continue
                    entry = self.entries[index]
                    if in_names or all(w in entry.folded_chain for w in words):
                        seen.add(index)
                        tier.append(entry)
                tier.sort(key=lambda e: (e.folded_name != phrase, e.folded_name, e.code))
                found += tier
            if len(found) > limit:
                break
        return found[:limit], len(found) > limit

    def _by_code(self, text, scope, purpose, levels, parent, limit) -> tuple[list[Entry], bool]:
        """Areas whose code starts with the digits typed, dots or not (PP.KK.CC.NDDD)."""
        digits = re.sub(r"\D", "", text)
        prefix = ".".join(digits[i:j] for i, j in ((0, 2), (2, 4), (4, 6), (6, 10)) if digits[i:j])
        start = bisect_left(self.codes, prefix)
        end = bisect_left(self.codes, prefix + "~", start)  # "~" follows digits and "."
        runs = self._allowed(scope, purpose, parent)
        pool = [
            self.entries[i]
            for i in range(start, end)
            if self.entries[i].level in levels and any(a <= i < b for a, b in runs)
        ]
        return pool[:limit], len(pool) > limit

    def _first(self, scope, purpose, levels, parent, limit) -> tuple[list[Entry], bool]:
        """No text: every candidate when they fit the limit, else those of the highest level
        that has more than one."""
        runs = self._allowed(scope, purpose, parent)
        by_level = []
        for level in LEVELS:
            if level not in levels:
                continue
            indexes = self.shelves[level].indexes
            found = [
                i
                for a, b in runs
                for i in indexes[bisect_left(indexes, a) : bisect_left(indexes, b)]
            ]
            if found:
                by_level.append(found)
            if sum(map(len, by_level)) > limit:
                # A level of one area is the office itself (a kota's own code): go below it.
                top = next((found for found in by_level if len(found) > 1), by_level[0])
                return [self.entries[i] for i in top[:limit]], len(top) > limit
        return [self.entries[i] for i in sorted(i for found in by_level for i in found)], False

    def labels(self, codes) -> dict[str, str]:
        """code -> chain text of the known codes (a picker's chosen values)."""
        return {c: self.by_code[c].chain for c in codes if c in self.by_code}

    def kelurahan_under(self, code: str) -> list[str]:
        ((start, end),) = self._runs([code])
        return [e.code for e in self.entries[start:end] if e.level == "kelurahan"]


_lock = threading.Lock()
_cache: dict[tuple, AreaSearch] = {}
# How long a process trusts its index without asking the database: a boundary load in another
# process (the worker) shows in the pickers this much later; one in this process at once.
RECHECK_SECONDS = 2.0
_checked: dict[str, tuple[float, tuple]] = {}


def _revision() -> tuple:
    """Changes whenever an area is added, changed, retired or deleted (per database: per office)."""
    url = str(db.engine.url)
    now = time.monotonic()
    checked = _checked.get(url)
    if checked and now - checked[0] < RECHECK_SECONDS:
        return checked[1]
    count, latest = db.session.execute(select(func.count(Area.id), func.max(Area.updated_at))).one()
    key = (url, count, latest)
    _checked[url] = (now, key)
    return key


def forget() -> None:
    """Drop the indexes: the areas just changed in this process."""
    with _lock:
        _cache.clear()
        _checked.clear()


def area_search() -> AreaSearch:
    """The office's search index, built once per revision of the areas table."""
    key = _revision()
    with _lock:
        found = _cache.get(key)
        if found is None:
            rows = db.session.execute(
                select(Area.code, Area.level, Area.kind, Area.name, Area.parent_code).where(
                    Area.retired_at.is_(None)
                )
            ).all()
            found = AreaSearch(rows)
            # One office per database; tests and benchmarks switch databases, so keep a few.
            if len(_cache) >= 4:
                _cache.pop(next(iter(_cache)))
            _cache[key] = found
    return found


def search_areas(
    text: str,
    scope: Scope,
    purpose: str = "see",
    levels=PICKER_LEVELS,
    parent: str = "",
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """The picker's answer: matching areas as JSON rows, and whether there are more."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    levels = tuple(level for level in levels if level in LEVELS) or PICKER_LEVELS
    hits, more = area_search().find(text, scope, purpose, levels, parent.strip(), limit)
    return {"items": [e.as_json() for e in hits], "count": len(hits), "more": more}


def area_labels(codes) -> dict[str, str]:
    """code -> 'Desa Talang, Kec. Curup, Kab. Rejang Lebong' for the codes that are known."""
    codes = [c for c in codes or () if c]
    return area_search().labels(codes) if codes else {}


def expand_to_kelurahan(codes) -> list[str]:
    """Kelurahan codes for picked areas at any level: a kecamatan or kab/kota stands for every
    current kelurahan/desa in it; kelurahan codes and unknown codes pass through unchanged (the
    caller's validation names the unknown ones)."""
    index = area_search()
    out: list[str] = []
    for code in codes:
        entry = index.by_code.get(code)
        expanded = [code] if entry is None or entry.level == "kelurahan" else None
        out += expanded or index.kelurahan_under(code) or [code]
    return list(dict.fromkeys(out))


# Without JavaScript a picker is a text input; a datalist of this many areas at most helps it.
DATALIST_LIMIT = 200


def picker_data(codes, scope: Scope, purpose: str, levels) -> dict:
    """What a picker's page carries: the chosen codes' chains and, when the user's areas are
    few (a kab/kota office), every one of them for the no-JavaScript datalist."""
    index = area_search()
    levels = tuple(level for level in levels or () if level in LEVELS) or PICKER_LEVELS
    pool = index.candidates(scope, purpose, levels, "")
    options = [(e.code, e.chain) for e in pool] if len(pool) <= DATALIST_LIMIT else []
    return {"labels": index.labels([c for c in codes or () if c]), "options": options}


def area_above_kelurahan(code: str | None) -> str | None:
    """The code when it names a current kab/kota or kecamatan (a filter for everything in it);
    None otherwise."""
    entry = area_search().by_code.get((code or "").strip())
    return entry.code if entry and entry.level in ("kab_kota", "kecamatan") else None
