/* The round dashboard's timeline (Chart.js from static/vendor), drawn from the JSON the page embeds; the
   figure by child unit is plain HTML bars (templates/reports/dashboard.html). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  var numberFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

  function timelineChart(canvas, data, text) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: text.submitted, data: data.submitted, borderColor: "#0d6efd", backgroundColor: "rgba(13,110,253,.15)", fill: true, stepped: true },
          { label: text.approved, data: data.approved, borderColor: "#198754", backgroundColor: "rgba(25,135,84,.15)", fill: true, stepped: true }
        ]
      },
      options: {
        responsive: true,
        animation: false,
        locale: "vi-VN",
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 8 } },
          y: { beginAtZero: true, suggestedMax: data.total, ticks: { precision: 0 } }
        },
        plugins: { tooltip: { callbacks: { footer: function () { return text.total + ": " + numberFormat.format(data.total); } } } }
      }
    });
  }

  ready(function () {
    var form = document.getElementById("figure-form");
    if (form) {
      var select = form.querySelector("select[name=figure]");
      if (select) select.addEventListener("change", function () { form.submit(); });
    }
    var source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var timeline = document.getElementById("chart-timeline");
    if (timeline && data.timeline.labels.length) timelineChart(timeline, data.timeline, data.text);
  });
})();
