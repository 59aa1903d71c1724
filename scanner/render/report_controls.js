// What both HTML reports' scripts share (this file comes first in each page's one script): the filters' state,
// kept in the address (#verdict=fail&q=orders) so that a filtered view can be shared, and the copy buttons of the
// fix commands. No network, no framework.
var reportControls = (function () {
  "use strict";

  // The filters asked for: each control's value by its name (the search lower-cased).
  function wanted(controls) {
    var state = {};
    controls.forEach(function (control) {
      var value = control.value.trim();
      if (value) { state[control.name] = control.name === "q" ? value.toLowerCase() : value; }
    });
    return state;
  }

  function writeAddress(state) {
    var parts = Object.keys(state).map(function (key) {
      return encodeURIComponent(key) + "=" + encodeURIComponent(state[key]);
    });
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
  }

  // The address's filters into the controls (the address is the whole state: a filter it omits is cleared).
  function readAddress(controls) {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") === -1) { return; }
    controls.forEach(function (control) { control.value = ""; });
    hash.split("&").forEach(function (pair) {
      var cut = pair.indexOf("=");
      var name = decodeURIComponent(pair.slice(0, cut));
      var value = decodeURIComponent(pair.slice(cut + 1));
      controls.forEach(function (control) {
        if (control.name === name) { control.value = value; }
      });
    });
  }

  // Each control, the reset button and the address redraw with `apply(write)`; copy buttons copy their command.
  function wire(controls, apply) {
    controls.forEach(function (control) {
      control.addEventListener(control.tagName === "INPUT" ? "input" : "change", function () { apply(true); });
    });
    document.getElementById("reset").addEventListener("click", function () {
      controls.forEach(function (control) { control.value = ""; });
      apply(true);
    });
    window.addEventListener("hashchange", function () { readAddress(controls); apply(false); });
    document.addEventListener("click", function (event) {
      if (event.target.matches && event.target.matches("button.copy")) { copy(event.target); }
    });
    readAddress(controls);
  }

  function copy(button) {
    var text = button.parentNode.querySelector("code").textContent;
    function done() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { selected(text); done(); });
    } else { selected(text); done(); }
  }

  function selected(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (ignored) { /* the text stays selectable */ }
    document.body.removeChild(area);
  }

  return {wanted: wanted, writeAddress: writeAddress, wire: wire};
}());
