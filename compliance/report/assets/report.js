"use strict";
// Filters of each findings table, and sorting of the batch roll-up. No network, no eval.
document.querySelectorAll(".findings").forEach(function (box) {
  var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-filter]"));
  var rows = box.querySelectorAll("tr.finding");
  var counter = box.querySelector("output.shown");
  function keep(row) {
    return selects.every(function (select) {
      var want = select.value, key = select.getAttribute("data-filter");
      if (want === "*") { return true; }
      if (key === "status" && want === "problems") { return row.getAttribute("data-problem") === "1"; }
      return row.getAttribute("data-" + key) === want;
    });
  }
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = keep(row);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (counter) { counter.textContent = String(shown); }
  }
  selects.forEach(function (select) { select.addEventListener("change", apply); });
  box.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
});

document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.querySelectorAll("th[data-sort]");
  heads.forEach(function (th, column) {
    function sort() {
      var numeric = th.getAttribute("data-sort") === "num";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var p = x.getAttribute("data-v") || x.textContent, q = y.getAttribute("data-v") || y.textContent;
        var order = numeric ? Number(p) - Number(q) : p.localeCompare(q, "zh-CN");
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
  });
});
