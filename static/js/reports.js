// Dashboard charts (ECharts), drawn from the JSON the page embeds with json_script: no inline
// script (the CSP forbids it). Clicking a bar, slice or point opens the filtered list behind
// it; the same numbers are in the table under each chart, as links, for readers without JS.
(function () {
  "use strict";

  function point(cell, extra) {
    var item = { value: cell.value, url: cell.url || "" };
    if (extra) { for (var key in extra) { item[key] = extra[key]; } }
    return item;
  }

  function axisOption(spec, stacked) {
    var many = spec.categories.length > 6;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: stacked ? { type: "scroll", top: 0 } : undefined,
      grid: { left: 8, right: 16, top: stacked ? 36 : 16, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: many ? 40 : 0 }
      },
      yAxis: { type: "value", minInterval: 1, name: spec.unit || "" },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: spec.kind === "line" ? "line" : "bar",
          stack: stacked ? "total" : undefined,
          itemStyle: s.colour ? { color: s.colour } : undefined,
          label: { show: !stacked, position: "top" },
          data: s.data.map(function (cell) { return point(cell); })
        };
      })
    };
  }

  // One series of horizontal bars: long category names (困境情形) stay readable on a phone,
  // one colour, no legend needed; each bar carries its number.
  function hbarOption(spec) {
    var s = spec.series[0] || { data: [] };
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: spec.unit || "" },
      yAxis: { type: "category", data: spec.categories, inverse: true, axisLabel: { fontSize: 12 } },
      series: [{
        name: s.name,
        type: "bar",
        itemStyle: s.colour ? { color: s.colour } : undefined,
        label: { show: true, position: "right" },
        data: s.data.map(function (cell) { return point(cell); })
      }]
    };
  }

  function pieOption(spec) {
    var s = spec.series[0] || { data: [] };
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { type: "scroll", bottom: 0, textStyle: { fontSize: 12 } },
      series: [{
        name: s.name,
        type: "pie",
        radius: ["35%", "65%"],
        label: { formatter: "{b}\n{c}" },
        data: s.data.map(function (cell, i) {
          var extra = { name: spec.categories[i] };
          if (s.colours && s.colours[i]) { extra.itemStyle = { color: s.colours[i] }; }
          return point(cell, extra);
        }).filter(function (item) { return item.value; })
      }]
    };
  }

  function isEmpty(spec) {
    return !spec.categories.length || spec.series.every(function (s) {
      return s.data.every(function (cell) { return !cell.value; });
    });
  }

  function draw(element, spec) {
    if (isEmpty(spec)) {
      element.classList.add("d-none");
      return null;
    }
    var chart = window.echarts.init(element);
    var option = spec.kind === "pie" ? pieOption(spec)
      : spec.kind === "hbar" ? hbarOption(spec)
      : axisOption(spec, spec.kind === "stacked_bar");
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) { window.location.href = url; }
    });
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var specs = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var spec = specs[element.getAttribute("data-chart")];
      if (spec) {
        var chart = draw(element, spec);
        if (chart) { charts.push(chart); }
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  });
})();
