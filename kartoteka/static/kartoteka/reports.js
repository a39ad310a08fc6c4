// Draws every <canvas data-chart="id"> from the JSON in <script type="application/json" id="id">
// (written by Django's json_script: no inline script runs, so the page keeps script-src 'self').
(function () {
  "use strict";
  var PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var round = spec.type === "doughnut" || spec.type === "pie";
    var datasets = spec.datasets.map(function (set, i) {
      return {
        label: set.label, data: set.data,
        backgroundColor: round ? PALETTE.slice(0, set.data.length) : PALETTE[i % PALETTE.length],
        borderWidth: round ? 1 : 0
      };
    });
    var options = { responsive: true, maintainAspectRatio: false, animation: false,
                    plugins: { legend: { display: datasets.length > 1 || round } } };
    if (!round) {
      options.scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } };
    }
    canvas.chart = new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets },
                                       options: options });
    canvas.dataset.drawn = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
