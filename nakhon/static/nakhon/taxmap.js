/*
 * The tax map (nakhon/tax/templates/tax/map.html): parcels and signboards coloured by status
 * (paid, due, arrears, exempt, not assessed),
 * and the revenue-gap findings, on the vendored Leaflet (window.L) within the city boundary.
 * Tiles only when the operator sets NAKHON_MAP_TILE_URL (as nakhon/static/nakhon/dataset.js).
 * Every string comes from the page (#taxmap-data); popups are built from escaped text.
 */
(function () {
  "use strict";

  // the page passes the colours (nakhon/tax/tax_map.py COLOURS), so the legend agrees
  var COLOURS = {};

  function escapeHTML(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popup(p, t) {
    var rows = [];
    if (p.layer === "gap") {
      rows.push([t.gap, t.lists[p.list] || p.list], [p.code, p.evidence], [t.estimate, p.tax_baht]);
    } else {
      rows.push([t[p.layer], p.code], [t.status, t.statuses[p.status] || p.status]);
      if (p.uses && p.uses.length) rows.push([t.use, p.uses.join(", ")]);
    }
    return rows.map(function (r) {
      return "<strong>" + escapeHTML(r[0]) + "</strong>: " + escapeHTML(r[1]);
    }).join("<br>");
  }

  function start() {
    var el = document.getElementById("taxmap-data");
    var section = document.querySelector("[data-taxmap]");
    var L = window.L;
    if (!el || !section || !L) return;
    var cfg = JSON.parse(el.textContent);
    var t = cfg.text;
    COLOURS = cfg.colours || {};
    var status = section.querySelector("[data-map-status]");
    section.hidden = false;
    L.Icon.Default.imagePath = cfg.icon_path;
    var map = L.map(section.querySelector("[data-map-canvas]"),
                    { zoomSnap: 0.25, keyboard: true, attributionControl: !!cfg.tile_url });
    if (cfg.tile_url) {
      L.tileLayer(cfg.tile_url, { maxZoom: 19, attribution: escapeHTML(cfg.tile_attribution) })
        .addTo(map);
    }
    var boundary = null;
    if (cfg.boundary) {
      boundary = L.geoJSON(cfg.boundary, { interactive: false,
        style: { color: "#555", weight: 2, fillOpacity: 0.03 } }).addTo(map);
      map.fitBounds(boundary.getBounds(), { padding: [12, 12] });
    } else {
      map.setView([13.75, 100.5], 5);
    }
    status.textContent = t.loading;
    fetch(cfg.geojson_url, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var layers = {};
        ["parcel", "signboard", "gap"].forEach(function (name) {
          var features = data.features.filter(function (f) { return f.properties.layer === name; });
          layers[t[name]] = L.geoJSON({ type: "FeatureCollection", features: features }, {
            style: function (f) {
              var c = COLOURS[name === "gap" ? "gap" : f.properties.status];
              return { color: c, weight: name === "gap" ? 3 : 1, fillColor: c, fillOpacity: 0.45 };
            },
            pointToLayer: function (f, latlng) {
              var c = COLOURS[name === "gap" ? "gap" : f.properties.status];
              var label = (t[name] || "") + " " + f.properties.code;
              // a focusable marker (keyboard) drawn as a coloured dot
              return L.marker(latlng, { title: label, alt: label, keyboard: true,
                icon: L.divIcon({ className: "taxmap-dot", iconSize: [14, 14],
                  html: '<span style="display:block;width:14px;height:14px;border-radius:50%;' +
                        'border:2px solid #fff;background:' + c + '"></span>' }) });
            },
            onEachFeature: function (f, item) {
              item.bindPopup(popup(f.properties, t), { maxWidth: 320 });
              if (item.getElement) {
                item.on("add", function () {
                  var e = item.getElement();
                  if (e && !e.getAttribute("tabindex")) {
                    e.setAttribute("tabindex", "0");
                    e.setAttribute("aria-label", (t[name] || "") + " " + f.properties.code);
                    e.addEventListener("keydown", function (ev) {
                      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); item.openPopup(); }
                    });
                  }
                });
              }
            }
          }).addTo(map);
        });
        L.control.layers(null, layers, { collapsed: false }).addTo(map);
        status.textContent = t.shown.replace("%(count)s", String(data.features.length));
        section.dataset.state = "drawn";
      })
      .catch(function () { status.textContent = t.failed; section.dataset.state = "failed"; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
