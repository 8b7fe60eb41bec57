/*
 * The dataset page's chart builder and map (nakhon/templates/portal/data/_dataset_visuals.html).
 *
 * Progressive enhancement: the page is whole without this file; the chart and map sections
 * stay `hidden` until it runs. No build step: a plain script, loaded with `defer` after the
 * vendored ECharts (window.echarts) and Leaflet (window.L).
 *
 * Everything it needs comes from the page, as JSON written by Django's `json_script`:
 *   #chart-data  query_url, version, caption, filename, categories/values (columns), text
 *   #map-data    geojson_url, boundary (GeoJSON geometry), icon_path, tile_url, text
 * so no user-visible string is written here, and nothing is fetched from outside the site
 * (unless the operator sets NAKHON_MAP_TILE_URL).
 *
 * Chart: one call to the query API, /api/v1/municipalities/<city>/datasets/<slug>/query with
 * group_by=<x> and aggregate=<agg>:<y> (count:* for a row count), of the version on the page.
 * The choices live in the URL (?chart=bar&x=…&agg=sum&y=…#chart), so a chart can be shared.
 */
(function () {
  "use strict";

  var FONT = "Sarabun, system-ui, sans-serif";
  var PALETTE = ["#0b5394", "#e69138", "#6aa84f", "#a64d79", "#3d85c6", "#cc0000",
                 "#8e7cc3", "#45818e", "#bf9000", "#666666"];
  var BAR_LIMIT = 30;     // bars or slices: the largest groups
  var LINE_LIMIT = 1000;  // points on a line: every group, in order

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function brandColour() {
    var value = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim();
    return value || PALETTE[0];
  }

  function numberFormat(options) {
    return new Intl.NumberFormat(document.documentElement.lang === "th" ? "th-TH" : "en-GB",
                                 options || { maximumFractionDigits: 2 });
  }

  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }

  /* ------------------------------------------------------------------ chart builder */

  function ChartBuilder(section, cfg) {
    this.section = section;
    this.cfg = cfg;
    this.form = section.querySelector("[data-chart-form]");
    this.status = section.querySelector("[data-chart-status]");
    this.canvas = section.querySelector("[data-chart-canvas]");
    this.table = section.querySelector("[data-chart-table]");
    this.link = section.querySelector("[data-chart-link]");
    this.valueField = section.querySelector("[data-chart-value]");
    this.format = numberFormat();
    this.request = 0;
    this.chart = null;
  }

  ChartBuilder.prototype.start = function () {
    var self = this;
    this.readURL();
    this.section.hidden = false;
    this.chart = window.echarts.init(this.canvas, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { self.chart.resize(); });
    this.form.addEventListener("change", function () { self.draw(true); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    this.section.querySelector("[data-chart-png]").addEventListener("click", function () {
      self.downloadPNG();
    });
    // Thai labels are drawn on a canvas, so wait for Sarabun before the first drawing.
    var ready = document.fonts && document.fonts.load
      ? document.fonts.load("14px Sarabun", "กขค abc").catch(function () {})
      : Promise.resolve();
    ready.then(function () { self.draw(false); });
  };

  /* The URL's chart, x, y and agg, where they name an option of the form. */
  ChartBuilder.prototype.readURL = function () {
    var params = new URLSearchParams(window.location.search);
    var form = this.form;
    ["chart", "x", "y", "agg"].forEach(function (name) {
      var value = params.get(name);
      var select = form.elements[name];
      if (value === null || !select) return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) { select.value = value; break; }
      }
    });
  };

  ChartBuilder.prototype.state = function () {
    var f = this.form.elements;
    return { kind: f.chart.value, x: f.x.value, y: f.y.value, agg: f.agg.value };
  };

  ChartBuilder.prototype.shareURL = function (s) {
    var url = new URL(window.location.href);
    url.searchParams.set("chart", s.kind);
    url.searchParams.set("x", s.x);
    url.searchParams.set("agg", s.agg);
    if (s.agg === "count") url.searchParams.delete("y"); else url.searchParams.set("y", s.y);
    url.hash = "chart";
    return url.toString();
  };

  ChartBuilder.prototype.label = function (list, name) {
    for (var i = 0; i < list.length; i++) if (list[i].name === name) return list[i].label;
    return name;
  };

  /* "Sum of <y>" (in the page's language), or "Count of rows". */
  ChartBuilder.prototype.measure = function (s) {
    var t = this.cfg.text;
    return s.agg === "count" ? t.count : t[s.agg] + " " + this.label(this.cfg.values, s.y);
  };

  ChartBuilder.prototype.title = function (s) {
    return this.measure(s) + " " + this.cfg.text.by + " " + this.label(this.cfg.categories, s.x);
  };

  ChartBuilder.prototype.draw = function (changed) {
    var self = this;
    var s = this.state();
    var alias = s.agg === "count" ? "count" : s.agg + "_" + s.y;
    var params = new URLSearchParams();
    params.set("group_by", s.x);
    params.set("aggregate", s.agg === "count" ? "count:*" : s.agg + ":" + s.y);
    params.set("sort", s.kind === "line" ? s.x : "-" + alias);
    params.set("limit", String(s.kind === "line" ? LINE_LIMIT : BAR_LIMIT));
    if (this.cfg.version) params.set("version", String(this.cfg.version));
    this.valueField.hidden = s.agg === "count";
    this.link.href = this.shareURL(s);
    if (changed) window.history.replaceState(null, "", this.link.href);
    this.status.textContent = this.cfg.text.loading;
    this.section.dataset.state = "loading";
    var request = ++this.request;
    fetch(this.cfg.query_url + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        if (request !== self.request) return;  // a newer choice is already on its way
        self.render(s, alias, body);
      })
      .catch(function () {
        if (request !== self.request) return;
        self.chart.clear();
        self.status.textContent = self.cfg.text.failed;
        self.section.dataset.state = "failed";
      });
  };

  ChartBuilder.prototype.render = function (s, alias, body) {
    var t = this.cfg.text;
    var none = t.none;
    var categories = body.rows.map(function (row) {
      var v = row[s.x];
      return v === null || v === undefined || v === "" ? none : String(v).replace(/\.0+$/, "");
    });
    var values = body.rows.map(function (row) {
      var v = row[alias];
      return v === null || v === undefined ? null : Number(v);
    });
    var title = this.title(s);
    var format = this.format;
    var compact = numberFormat({ notation: "compact" });
    var colour = brandColour();
    if (!body.rows.length) {
      this.chart.clear();
      this.status.textContent = t.empty;
      this.section.dataset.state = "empty";
      this.fillTable(s, [], []);
      return;
    }
    var shown = body.rows.length;
    this.status.textContent = body.total && body.total > shown
      ? interpolate(t.top, { shown: format.format(shown), total: format.format(body.total) })
      : "";

    var horizontal = s.kind === "bar" && (shown > 12 || categories.some(function (c) {
      return c.length > 14;
    }));
    this.canvas.style.height = horizontal ? Math.max(320, 28 * shown + 90) + "px" : "";
    this.chart.resize();
    var textWidth = Math.max(120, this.chart.getWidth() - 16);

    var option = {
      animationDuration: 300,
      color: [colour].concat(PALETTE.slice(1)),
      textStyle: { fontFamily: FONT },
      aria: { enabled: true },
      title: {
        text: title,
        subtext: this.cfg.caption,
        left: 0,
        // on a phone a long title or caption is cut with "…" rather than overflowing
        textStyle: { fontFamily: FONT, fontSize: 15, fontWeight: 600, width: textWidth,
                     overflow: "truncate" },
        subtextStyle: { fontFamily: FONT, width: textWidth, overflow: "truncate" }
      },
      tooltip: {
        trigger: s.kind === "pie" ? "item" : "axis",
        textStyle: { fontFamily: FONT },
        valueFormatter: function (v) { return v === null ? "–" : format.format(v); }
      }
    };
    if (s.kind === "pie") {
      option.series = [{
        type: "pie",
        name: title,
        radius: ["30%", "62%"],
        center: ["50%", "58%"],
        data: categories.map(function (c, i) { return { name: c, value: values[i] }; }),
        label: { fontFamily: FONT, formatter: "{b}: {d}%" }
      }];
    } else {
      var categoryAxis = {
        type: "category",
        data: categories,
        axisLabel: { fontFamily: FONT, hideOverlap: true, width: 160, overflow: "truncate" }
      };
      var valueAxis = {
        type: "value",
        axisLabel: {
          fontFamily: FONT,
          formatter: function (v) { return compact.format(v); }
        }
      };
      if (horizontal) categoryAxis.inverse = true;  // the largest on top
      option.grid = { left: 8, right: 24, top: 64, bottom: 8, containLabel: true };
      option.xAxis = horizontal ? valueAxis : categoryAxis;
      option.yAxis = horizontal ? categoryAxis : valueAxis;
      option.series = [{
        type: s.kind,
        name: title,
        data: values,
        itemStyle: { color: colour },
        showSymbol: s.kind === "line" && shown <= 60
      }];
    }
    var section = this.section;
    var chart = this.chart;
    section.dataset.points = String(shown);
    chart.off("finished");
    chart.on("finished", function () {  // drawn, animation over: ready for a PNG or a test
      chart.off("finished");
      section.dataset.state = "drawn";
    });
    chart.setOption(option, true);
    this.fillTable(s, categories, values);
  };

  /* The same numbers as a table, for screen readers and for copying. */
  ChartBuilder.prototype.fillTable = function (s, categories, values) {
    var head = this.table.tHead;
    var body = this.table.tBodies[0];
    head.textContent = "";
    body.textContent = "";
    var tr = head.insertRow();
    [this.label(this.cfg.categories, s.x), this.measure(s)].forEach(function (text) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      tr.appendChild(th);
    });
    var format = this.format;
    categories.forEach(function (c, i) {
      var row = body.insertRow();
      row.insertCell().textContent = c;
      var cell = row.insertCell();
      cell.textContent = values[i] === null ? "–" : format.format(values[i]);
      cell.className = "num";
    });
  };

  ChartBuilder.prototype.downloadPNG = function () {
    var a = document.createElement("a");
    a.href = this.chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    a.download = this.cfg.filename + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  };

  /* ------------------------------------------------------------------------- map */

  function escapeHTML(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  /* A popup listing a feature's properties, built from text nodes (never parsed as HTML). */
  function popupFor(properties) {
    var table = document.createElement("table");
    table.className = "popup";
    Object.keys(properties || {}).forEach(function (key) {
      var value = properties[key];
      var row = table.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = key;
      row.appendChild(th);
      row.insertCell().textContent = value === null || value === undefined
        ? "–" : typeof value === "object" ? JSON.stringify(value) : String(value);
    });
    return table;
  }

  /* The first text property that is not a number: a name for the marker (its tooltip and
     what a screen reader says when the marker has focus). */
  function nameOf(feature, fallback) {
    var p = feature.properties || {};
    for (var key in p) {
      if (typeof p[key] === "string" && p[key] && isNaN(Number(p[key]))) return p[key];
    }
    return fallback;
  }

  function startMap(section, cfg) {
    var L = window.L;
    var status = section.querySelector("[data-map-status]");
    var el = section.querySelector("[data-map-canvas]");
    var colour = brandColour();
    section.hidden = false;
    L.Icon.Default.imagePath = cfg.icon_path;
    var map = L.map(el, { zoomSnap: 0.25, keyboard: true, attributionControl: !!cfg.tile_url });
    if (cfg.tile_url) {
      L.tileLayer(cfg.tile_url, { maxZoom: 19, attribution: escapeHTML(cfg.tile_attribution) })
        .addTo(map);
    }
    var boundary = null;
    if (cfg.boundary) {
      boundary = L.geoJSON(cfg.boundary, {
        interactive: false,
        style: { color: colour, weight: 2, opacity: 0.9, fillColor: colour, fillOpacity: 0.06 }
      }).addTo(map);
      map.fitBounds(boundary.getBounds(), { padding: [12, 12] });
    } else {
      map.setView([13.75, 100.5], 5);  // Thailand, until the data says where to look
    }
    status.textContent = cfg.text.loading;
    section.dataset.state = "loading";
    fetch(cfg.geojson_url, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var features = (data.features || []).filter(function (f) { return f.geometry; });
        var many = features.length > 1000;  // plain dots on a canvas: fast, but not focusable
        var n = 0;
        var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          pointToLayer: function (feature, latlng) {
            var name = nameOf(feature, cfg.text.feature + " " + (++n));
            if (many) {
              return L.circleMarker(latlng, { radius: 4, color: colour, weight: 1,
                                              fillOpacity: 0.7 });
            }
            return L.marker(latlng, { title: name, alt: name, keyboard: true });
          },
          style: { color: colour, weight: 2, fillOpacity: 0.25 },
          onEachFeature: function (feature, item) {
            item.bindPopup(popupFor(feature.properties), { maxWidth: 320 });
          }
        }).addTo(map);
        if (!features.length) {
          status.textContent = cfg.text.empty;
          section.dataset.state = "empty";
          return;
        }
        var bounds = layer.getBounds();
        if (boundary) bounds.extend(boundary.getBounds());
        map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
        status.textContent = interpolate(cfg.text.shown,
                                         { count: numberFormat().format(features.length) });
        section.dataset.state = "drawn";
        section.dataset.points = String(features.length);
      })
      .catch(function () {
        status.textContent = cfg.text.failed;
        section.dataset.state = "failed";
      });
  }

  /* ------------------------------------------------------------------------ start */

  function start() {
    var chartData = readJSON("chart-data");
    var chartSection = document.querySelector("[data-chart]");
    if (chartData && chartSection && window.echarts) {
      new ChartBuilder(chartSection, chartData).start();
    }
    var mapData = readJSON("map-data");
    var mapSection = document.querySelector("[data-map]");
    if (mapData && mapSection && window.L) startMap(mapSection, mapData);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
