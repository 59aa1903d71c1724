// Filters and search for the method table and the findings; the state lives in the address (#verdict=fail&q=orders)
// so a filtered view can be shared. Copy buttons for the fix commands. No network, no framework.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var controls = Array.prototype.slice.call(form.querySelectorAll("select, input"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("#method-table tbody tr"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");

  function wanted() {
    var state = {};
    controls.forEach(function (control) {
      var value = control.value.trim();
      if (value) { state[control.name] = control.name === "q" ? value.toLowerCase() : value; }
    });
    return state;
  }

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
    if (write) {
      var parts = Object.keys(state).map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(state[key]);
      });
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    }
  }

  function readAddress() {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") === -1) { return; }
    hash.split("&").forEach(function (pair) {
      var cut = pair.indexOf("=");
      var name = decodeURIComponent(pair.slice(0, cut));
      var value = decodeURIComponent(pair.slice(cut + 1));
      controls.forEach(function (control) {
        if (control.name === name) { control.value = value; }
      });
    });
  }

  controls.forEach(function (control) {
    control.addEventListener(control.tagName === "INPUT" ? "input" : "change", function () { apply(true); });
  });
  document.getElementById("reset").addEventListener("click", function () {
    controls.forEach(function (control) { control.value = ""; });
    apply(true);
  });
  window.addEventListener("hashchange", function () { readAddress(); apply(false); });

  Array.prototype.slice.call(document.querySelectorAll("button.copy")).forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.parentNode.querySelector("code").textContent;
      function done() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
      } else { fallback(text); done(); }
    });
  });

  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (ignored) { /* the text stays selectable */ }
    document.body.removeChild(area);
  }

  readAddress();
  apply(false);
  document.documentElement.setAttribute("data-ready", "true");
}());
