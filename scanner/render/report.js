// Filters and search for the method table and the findings of the small report (after report_controls.js: the
// state in the address, the copy buttons). No network, no framework.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var controls = Array.prototype.slice.call(form.querySelectorAll("select, input"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("#method-table tbody tr"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");

  function wanted() { return reportControls.wanted(controls); }

  function matches(element, state, fields) {
    return fields.every(function (field) {
      if (!(field in state)) { return true; }
      if (field === "q") { return (element.getAttribute("data-text") || "").indexOf(state.q) !== -1; }
      if (field === "rule") {
        return (" " + (element.getAttribute("data-rules") || "") + " ").indexOf(" " + state.rule + " ") !== -1;
      }
      return element.getAttribute("data-" + field) === state[field];
    });
  }

  function apply(write) {
    var state = wanted();
    var visible = 0;
    rows.forEach(function (row) {
      var keep = matches(row, state, ["account", "region", "api", "verdict", "severity", "rule", "q"]);
      row.hidden = !keep;
      if (keep) { visible += 1; }
    });
    findings.forEach(function (article) {
      article.hidden = !matches(article, state, ["account", "region", "api", "severity", "rule", "q"]);
    });
    shown.textContent = visible + " of " + rows.length + " methods";
    noMatch.hidden = visible !== 0;
    if (write) { reportControls.writeAddress(state); }
  }

  reportControls.wire(controls, apply);
  apply(false);
  document.documentElement.setAttribute("data-ready", "true");
}());
