"""Area search for pickers: by name or code, with the parent chain, within a user's wilayah."""

import re
import threading
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from logistics.areas.models import LEVELS, Area
from logistics.core.extensions import db
from logistics.core.scope import Scope, within

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


class AreaSearch:
    """Every current area of the office in memory, searched without touching the database."""

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
            self.entries.append(
                Entry(
                    code,
                    level,
                    kind,
                    name,
                    parent_code,
                    label,
                    chain,
                    fold(name),
                    fold(chain),
                    code.replace(".", ""),
                )  # fmt: skip
            )
        self.by_code = {e.code: e for e in self.entries}

    def candidates(self, scope: Scope, purpose: str, levels, parent: str) -> list[Entry]:
        allowed = scope.records if purpose == "record" else scope.sees
        return [
            e
            for e in self.entries
            if e.level in levels
            and (not parent or (e.code != parent and within(e.code, (parent,))))
            and allowed(e.code)
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

        Digits search codes by prefix (dots optional); words must all occur in the name or its
        parents' names, own-name matches first. No text lists the candidates when they are few,
        else the highest level among them, so a person can narrow down step by step.
        """
        pool = self.candidates(scope, purpose, levels, parent)
        text = (text or "").strip()
        if not text:
            if len(pool) > limit:
                top = min((LEVELS.index(e.level) for e in pool), default=0)
                pool = [e for e in pool if LEVELS.index(e.level) == top]
            return pool[:limit], len(pool) > limit
        if _CODE_QUERY.match(text):
            digits = re.sub(r"\D", "", text)
            hits = [e for e in pool if e.digits.startswith(digits)]
            return hits[:limit], len(hits) > limit
        words = fold(text).split()
        if not words:
            return [], False
        phrase = " ".join(words)
        ranked = []
        for e in pool:
            if not all(w in e.folded_chain for w in words):
                continue
            name = e.folded_name
            if name == phrase:
                rank = 0
            elif name.startswith(phrase):
                rank = 1
            elif all(w in name for w in words):
                rank = 2 if (" " + phrase) in (" " + name) else 3
            else:
                rank = 4
            ranked.append((rank, LEVELS.index(e.level), name, e.code, e))
        ranked.sort(key=lambda r: r[:4])
        return [r[4] for r in ranked[:limit]], len(ranked) > limit

    def labels(self, codes) -> dict[str, str]:
        """code -> chain text of the known codes (a picker's chosen values)."""
        return {c: self.by_code[c].chain for c in codes if c in self.by_code}

    def kelurahan_under(self, code: str) -> list[str]:
        return [e.code for e in self.entries if e.level == "kelurahan" and within(e.code, (code,))]


_lock = threading.Lock()
_cache: dict[tuple, AreaSearch] = {}


def _revision() -> tuple:
    """Changes whenever an area is added, changed, retired or deleted (per database: per office)."""
    count, latest = db.session.execute(select(func.count(Area.id), func.max(Area.updated_at))).one()
    return (str(db.engine.url), count, latest)


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
