/* Map layers fetched from the server per zoom: kab/kota outlines for the province, kecamatan and
   desa of the kab/kota in view when zoomed in; the whole grid at once for a small area.
   Tooltips are built from DOM text nodes, never from HTML strings. */
(function () {
  "use strict";

  var STYLE = {
    kab_kota: {color: "#5b2c6f", weight: 2, fill: true, fillColor: "#c39bd3", fillOpacity: 0.12},
    kab_kota_outline: {color: "#5b2c6f", weight: 3, fill: false},
    kecamatan: {color: "#222222", weight: 1.5, fill: true, fillColor: "#ffffff", fillOpacity: 0.05},
    kecamatan_outline: {color: "#222222", weight: 2, fill: false},
    kelurahan: {color: "#1d5f8a", weight: 1, fillColor: "#3b8fc4", fillOpacity: 0.3},
    affected: {color: "#a50f15", weight: 1.5, fillColor: "#fb6a4a", fillOpacity: 0.65}
  };
  var PANES = {kelurahan: "poskoDesa", affected: "poskoDesa", kecamatan: "poskoKecamatan",
               kab_kota: "poskoKabKota"};

  function tooltip(p) {
    var box = document.createElement("div");
    function line(text, bold) {
      if (!text) { return; }
      var el = document.createElement(bold ? "strong" : "div");
      el.textContent = text;
      box.appendChild(el);
    }
    line(p.name, true);
    if (p.kecamatan) { line("Kec. " + p.kecamatan); }
    line(p.kab_kota);
    if (p.events) { line("Kejadian: " + p.events); }
    line("Kode " + p.code);
    return box;
  }

  var requests = {};
  function load(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
      // A failed fetch is tried again at the next move, not remembered.
      requests[url].catch(function () { delete requests[url]; });
    }
    return requests[url];
  }

  function styled(style, feature) {
    var copy = Object.assign({}, style);
    if (feature.properties.approximate) { copy.dashArray = "4 3"; }
    return copy;
  }

  function draw(data, level, style) {
    var layer = L.geoJSON(data, {
      pane: PANES[level],
      style: function (feature) { return styled(style, feature); },
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(function () { return tooltip(feature.properties); }, {sticky: true});
      }
    });
    layer.poskoLevel = level;
    return layer;
  }

  function restyle(layer, style) {
    layer.eachLayer(function (shape) { shape.setStyle(styled(style, shape.feature)); });
  }

  window.poskoAreaLayers = function (map, config) {
    [["poskoDesa", 400], ["poskoKecamatan", 410], ["poskoKabKota", 420]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
    var box = map.getContainer();
    function failed() {
      box.setAttribute("data-layers-failed", "true");
      var note = box.querySelector(".posko-map-failed");
      if (!note) {
        note = L.DomUtil.create("div", "posko-map-failed", box);
        note.setAttribute("role", "status");
        note.textContent = "Sebagian batas wilayah belum dapat dimuat; geser atau perbesar peta untuk mencoba lagi.";
      }
    }
    function shown(layer) {
      layer.addTo(map);
      box.setAttribute("data-layers", (box.getAttribute("data-layers") || "") + " " + layer.poskoLevel);
    }
    var layers = config.layers;
    if (config.affected) {
      load(config.affected).then(function (data) { shown(draw(data, "affected", STYLE.affected)); }, failed);
    }
    if (config.whole) {
      ["kelurahan", "kecamatan"].forEach(function (level) {
        if (!layers[level]) { return; }
        load(layers[level]).then(function (data) {
          shown(draw(data, level, STYLE[level + "_outline"] || STYLE[level]));
        }, failed);
      });
      return;
    }
    var kab = null, parts = {kecamatan: {}, kelurahan: {}};
    function part(level, code, wanted) {
      var held = parts[level][code];
      if (!held && !wanted) { return; }
      if (!held) {
        held = parts[level][code] = {layer: null, on: true};
        load(layers[level] + "&induk=" + encodeURIComponent(code)).then(function (data) {
          held.layer = draw(data, level, STYLE[level]);
          if (held.on) { shown(held.layer); update(); }
        }, function () { delete parts[level][code]; failed(); });
        return;
      }
      held.on = wanted;
      if (!held.layer) { return; }
      if (wanted && !map.hasLayer(held.layer)) { shown(held.layer); }
      if (!wanted && map.hasLayer(held.layer)) { map.removeLayer(held.layer); }
    }
    function update() {
      if (!kab) { return; }
      var zoom = map.getZoom(), view = map.getBounds();
      var deep = {kecamatan: zoom >= config.zoom.kecamatan, kelurahan: zoom >= config.zoom.kelurahan};
      restyle(kab, deep.kecamatan ? STYLE.kab_kota_outline : STYLE.kab_kota);
      kab.eachLayer(function (shape) {
        var inView = shape.getBounds().intersects(view);
        ["kecamatan", "kelurahan"].forEach(function (level) {
          if (layers[level]) { part(level, shape.feature.id, deep[level] && inView); }
        });
      });
      Object.keys(parts.kecamatan).forEach(function (code) {
        var held = parts.kecamatan[code];
        if (held.layer) { restyle(held.layer, deep.kelurahan ? STYLE.kecamatan_outline : STYLE.kecamatan); }
      });
    }
    load(layers.kab_kota).then(function (data) {
      kab = draw(data, "kab_kota", STYLE.kab_kota);
      shown(kab);
      update();
    }, failed);
    map.on("moveend", update);
  };
})();
