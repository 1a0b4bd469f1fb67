/* The round dashboard's charts (Chart.js from static/vendor), drawn from the JSON the page embeds. */
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
        locale: "vi-VN",
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, suggestedMax: data.total, ticks: { precision: 0 } } },
        plugins: { tooltip: { callbacks: { footer: function () { return text.total + ": " + numberFormat.format(data.total); } } } }
      }
    });
  }

  function figureChart(canvas, data) {
    var many = data.labels.length > 12;
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "rgba(220,53,69,.7)" }] },
      options: {
        responsive: true,
        locale: "vi-VN",
        indexAxis: many ? "y" : "x",
        scales: (function () {
          var value = { beginAtZero: true, suggestedMax: data.percent ? 100 : undefined };
          return many ? { x: value } : { y: value };
        })(),
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.raw;
                if (v === null || v === undefined) return "–";
                return numberFormat.format(v) + (data.percent ? "%" : "");
              }
            }
          }
        }
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
    var figure = document.getElementById("chart-figure");
    if (figure && data.figure.labels.length) {
      if (data.figure.labels.length > 12) figure.height = Math.min(60 + 22 * data.figure.labels.length, 1200);
      figureChart(figure, data.figure);
    }
  });
})();
