// The run page's live part: polls data.json and draws every metric with uPlot. Without it the
// page still shows the server-rendered table and SVG charts (and refreshes every 15 s).
(function () {
  "use strict";
  var body = document.body;
  var src = body.getAttribute("data-src");
  if (!src || typeof window.uPlot !== "function" || typeof window.fetch !== "function") return;
  var chartsEl = document.getElementById("charts");
  var charts = {};
  var x = [];
  var ys = {};
  var xLabel = "step";
  var delay = 2000;

  function draw() {
    var names = Object.keys(ys);
    if (names.length === 0) return;
    if (chartsEl.getAttribute("data-uplot") !== "1") {
      chartsEl.textContent = "";
      chartsEl.setAttribute("data-uplot", "1");
    }
    var width = Math.min(520, Math.max(280, chartsEl.clientWidth / 2 - 16));
    names.forEach(function (name) {
      var data = [x.slice(), ys[name].slice()];
      if (charts[name]) {
        charts[name].setData(data);
        return;
      }
      var box = document.createElement("div");
      box.className = "uchart";
      box.setAttribute("data-metric", name);
      chartsEl.appendChild(box);
      charts[name] = new window.uPlot(
        {
          title: name,
          width: width,
          height: 200,
          scales: { x: { time: false } },
          axes: [{ label: xLabel }, {}],
          series: [{ label: xLabel }, { label: name, stroke: "#0969da", width: 1.5, spanGaps: true }],
        },
        data,
        box
      );
    });
    chartsEl.setAttribute("data-points", String(x.length));
  }

  function apply(data) {
    xLabel = data.chart.xLabel;
    // The series can shrink (the final metrics.jsonl keeps one line per step): the server then
    // answers from an earlier point, and what the page had from there on is dropped.
    var from = data.chart.from;
    if (from < x.length) {
      x = x.slice(0, from);
      Object.keys(ys).forEach(function (name) {
        ys[name] = ys[name].slice(0, from);
      });
    }
    x = x.concat(data.chart.x);
    data.chart.metrics.forEach(function (metric) {
      var have = ys[metric.name] || [];
      // A metric that first appears late is padded so every column has one value per x.
      while (have.length < x.length - metric.y.length) have.push(null);
      ys[metric.name] = have.concat(metric.y);
    });
    Object.keys(ys).forEach(function (name) {
      while (ys[name].length < x.length) ys[name].push(null);
    });
    document.getElementById("state").textContent = data.stateLine;
    document.getElementById("state").className = "state s-" + data.state;
    body.setAttribute("data-state", data.state);
    document.getElementById("metrics").innerHTML = data.metricsHtml;
    var log = document.getElementById("log");
    if (data.log && log) {
      if (log.tagName !== "PRE") {
        var pre = document.createElement("pre");
        pre.id = "log";
        log.replaceWith(pre);
        log = pre;
      }
      log.textContent = data.log;
    }
    draw();
    return data.live;
  }

  function poll() {
    var url = src + (src.indexOf("?") < 0 ? "?" : "&") + "since=" + x.length;
    fetch(url, { cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        delay = 2000;
        if (apply(data)) setTimeout(poll, delay);
      })
      .catch(function () {
        // The bot restarting or a network blip: back off, keep the page as it is.
        delay = Math.min(delay * 2, 30000);
        setTimeout(poll, delay);
      });
  }
  poll();
})();
