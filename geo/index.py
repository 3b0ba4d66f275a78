"""Point-in-area lookup over many polygons with an STRtree and prepared geometries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

# Points per batch in lookup_many: bounds the candidate-pair arrays (about 3 pairs per point).
_CHUNK = 200_000


class AreaIndex:
    """Find which area contains a point (lng, lat), built once from codes and polygons.

    All indexes are built in the constructor; afterwards lookups only read them and may run
    from several threads at once.

    The STRtree narrows each point to the few areas whose bounding box holds it; the exact
    test runs on prepared polygons (GEOS builds an edge index per polygon on first use), which
    is much faster than the tree's own predicate for polygons of hundreds of vertices.
    A point on a border shared by several areas, or in an overlap, gets the area that comes
    first in the input order (lowest index), so the answer is deterministic.
    """

    def __init__(self, codes: Sequence[str], geometries: Sequence[shapely.Geometry]):
        """Index the areas; codes[i] names geometries[i]. Missing or empty geometries never match."""
        self._codes = np.asarray(list(codes), dtype=object)
        self._geoms = np.asarray(list(geometries), dtype=object)
        if self._codes.shape != self._geoms.shape:
            raise ValueError(
                f"codes and geometries differ in length ({len(self._codes)} vs {len(self._geoms)})"
            )
        # Preparing attaches an index to the geometry objects themselves (the caller's too);
        # that only costs memory and speeds up any later predicate on them.
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._warm_up()

    def _warm_up(self) -> None:
        """Build every lazy index now: the tree, and each prepared polygon's point locator.

        GEOS creates those on first use, and that creation is not thread-safe; an index shared
        by a multi-threaded web server must only be read once built. It also moves the cost
        out of the first lookup.
        """
        self._tree.query(shapely.Point(0.0, 0.0))
        present = ~(shapely.is_missing(self._geoms) | shapely.is_empty(self._geoms))
        if present.any():
            bounds = shapely.bounds(self._geoms[present])
            # The box centre is inside the envelope, so the test reaches the point locator.
            shapely.intersects_xy(
                self._geoms[present],
                (bounds[:, 0] + bounds[:, 2]) / 2,
                (bounds[:, 1] + bounds[:, 3]) / 2,
            )

    @classmethod
    def from_frame(cls, frame, code_column: str = "code") -> AreaIndex:
        """An index of a (Geo)DataFrame's code column and geometry."""
        return cls(frame[code_column].tolist(), np.asarray(frame.geometry.values, dtype=object))

    def __len__(self) -> int:
        return len(self._codes)

    def lookup(self, lng: float, lat: float) -> str | None:
        """The code of the area containing (lng, lat), or None outside every area."""
        if not (np.isfinite(lng) and np.isfinite(lat)):
            return None
        candidates = np.sort(self._tree.query(shapely.Point(lng, lat)))
        for i in candidates:
            if shapely.intersects_xy(self._geoms[i], lng, lat):
                return self._codes[i]
        return None

    def lookup_indices(self, lngs: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Index (into the input order) of the area holding each point; -1 where none does."""
        x = np.asarray(lngs, dtype=float).ravel()
        y = np.asarray(lats, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"lngs and lats differ in length ({len(x)} vs {len(y)})")
        result = np.full(len(x), -1, dtype=np.int64)
        for start in range(0, len(x), _CHUNK):
            stop = min(start + _CHUNK, len(x))
            result[start:stop] = self._lookup_chunk(x[start:stop], y[start:stop])
        return result

    def _lookup_chunk(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.full(len(x), -1, dtype=np.int64)
        finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if len(finite) == 0 or len(self._geoms) == 0:
            return out
        points = shapely.points(x[finite], y[finite])
        # Bounding-box candidates only; the exact test below is vectorised over the pairs.
        point_idx, area_idx = self._tree.query(points)
        hit = shapely.intersects_xy(
            self._geoms[area_idx], x[finite][point_idx], y[finite][point_idx]
        )
        point_idx = point_idx[hit]
        area_idx = area_idx[hit]
        # Lowest area index per point: sort pairs by (point, area) and keep each point's first.
        order = np.lexsort((area_idx, point_idx))
        point_idx = point_idx[order]
        area_idx = area_idx[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]] if len(point_idx) else []
        out[finite[point_idx[first]]] = area_idx[first]
        return out

    def lookup_many(self, lngs: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Codes of the areas containing each point (object array; None outside every area)."""
        indices = self.lookup_indices(lngs, lats)
        codes = np.empty(len(indices), dtype=object)
        found = indices >= 0
        codes[found] = self._codes[indices[found]]
        return codes
