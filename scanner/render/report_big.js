// The big report's script: unpacks the page's data (gzip in base64: it is never run), draws the method table a page
// at a time with the filters and search applied to every row, the findings by cause likewise, and an API's chain
// from its data when asked for. Every text is written as text (textContent), never as markup; only the "why it
// matters" notes are markup, which the scanner made and escaped. The filters' state lives in the address
// (#verdict=fail&q=orders, report_controls.js, which comes first) so a filtered view can be shared. No network,
// no framework.
(function () {
  "use strict";
  var ROWS = 100, CAUSES = 25, CHAINS = 20;
  var SEVERITIES = ["critical", "high", "medium", "low", "info", "none"];
  var VERDICTS = ["fail", "unknown", "warn", "ok"];
  var form = document.getElementById("filters");
  if (!form) { return; }
  var controls = Array.prototype.slice.call(form.querySelectorAll("select, input"));
  var state = {methods: 0, causes: 0, chains: 0};  // the page shown of each list
  var data, chainList, pictures, rows, causes, chains, columns;

  function bytes(element) {
    var text = atob(element.textContent.trim());
    var found = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i += 1) { found[i] = text.charCodeAt(i); }
    return found;
  }

  function unpack(id) {
    var stream = new Blob([bytes(document.getElementById(id))]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (text !== undefined && text !== null) { element.textContent = String(text); }
    return element;
  }

  function pill(text, kind) { return make("span", "pill " + kind, text); }

  function wanted() { return reportControls.wanted(controls); }

  // Methods: worst first (severity, doubt, verdict, then the report's order), each with the text search reads.
  function prepare() {
    columns = {};
    data.columns.forEach(function (name, position) { columns[name] = position; });
    var all = data.methods;
    var order = all.map(function (row, position) { return position; });
    var rank = all.map(function (row) {
      return SEVERITIES.indexOf(row[columns.severity]) * 100 + row[columns.doubt] * 10
        + Math.max(0, VERDICTS.indexOf(row[columns.verdict]));
    });
    order.sort(function (a, b) { return rank[a] - rank[b] || a - b; });
    rows = order.map(function (position) {
      var row = all[position];
      var text = [row[columns.api_name], row[columns.api_id], row[columns.method], row[columns.path],
                  row[columns.authorizer], row[columns.scopes], row[columns.stages],
                  row[columns.rules].map(function (rule) { return rule[0]; }).join(" ")].join(" ").toLowerCase();
      return {row: row, text: text, rules: " " + row[columns.rules].map(function (rule) { return rule[0]; })
        .join(" ") + " "};
    });
    chains = chainList.map(function (chain, position) {
      return {chain: chain, position: position, text: (chain[0] + " " + chain[1]).toLowerCase()};
    });
  }

  function keepRow(item, filters) {
    var row = item.row;
    return (!filters.account || row[columns.account] === filters.account)
      && (!filters.region || row[columns.region] === filters.region)
      && (!filters.verdict || row[columns.verdict] === filters.verdict)
      && (!filters.severity || row[columns.severity] === filters.severity)
      && (!filters.rule || item.rules.indexOf(" " + filters.rule + " ") !== -1)
      && (!filters.q || item.text.indexOf(filters.q) !== -1);
  }

  function keepCause(cause, filters) {
    return (!filters.account || cause.account === filters.account)
      && (!filters.region || cause.region === filters.region)
      && (!filters.severity || cause.severity === filters.severity)
      && (!filters.rule || cause.rule === filters.rule)
      && (!filters.q || cause.text.indexOf(filters.q) !== -1);
  }

  function keepChain(item, filters) {
    return (!filters.account || item.chain[2] === filters.account)
      && (!filters.region || item.chain[3] === filters.region)
      && (!filters.q || item.text.indexOf(filters.q) !== -1);
  }

  function pager(id, total, size, key, draw) {
    var nav = document.getElementById(id);
    nav.textContent = "";
    var pages = Math.max(1, Math.ceil(total / size));
    state[key] = Math.min(state[key], pages - 1);
    if (pages < 2) { return; }
    function button(label, page) {
      var control = make("button", "", label);
      control.type = "button";
      control.disabled = page < 0 || page >= pages || page === state[key];
      control.addEventListener("click", function () { state[key] = page; draw(); });
      nav.appendChild(control);
    }
    button("« first", 0);
    button("‹ previous", state[key] - 1);
    nav.appendChild(make("span", "muted", (state[key] * size + 1) + "–" + Math.min(total, (state[key] + 1) * size)
      + " of " + total));
    button("next ›", state[key] + 1);
    button("last »", pages - 1);
  }

  var headers = [["Severity", null], ["Verdict", null], ["Account", "account"], ["Region", "region"], ["API", null],
                 ["Stages", null], ["Method", null], ["Path", null], ["Auth", null], ["Authorizer", null],
                 ["Token", null], ["Scopes", null], ["Policy", null], ["Traffic", null], ["Callers passing", null],
                 ["Rules", null]];

  function shownHeaders() {
    return headers.filter(function (header) {
      return !header[1] || data.filters[header[1]].length > 1;
    });
  }

  function drawMethods() {
    var filters = wanted();
    var kept = rows.filter(function (item) { return keepRow(item, filters); });
    document.getElementById("shown").textContent = kept.length + " of " + rows.length + " methods";
    document.getElementById("no-match").hidden = kept.length !== 0;
    pager("method-pager", kept.length, ROWS, "methods", drawMethods);
    var body = document.querySelector("#method-table tbody");
    var fresh = document.createElement("tbody");
    var shown = shownHeaders().map(function (header) { return header[0]; });
    kept.slice(state.methods * ROWS, (state.methods + 1) * ROWS).forEach(function (item) {
      var row = item.row;
      var line = document.createElement("tr");
      line.setAttribute("data-verdict", row[columns.verdict]);
      line.setAttribute("data-api", row[columns.api_name]);
      var cells = {
        "Severity": pill(row[columns.severity] === "none" ? "-" : row[columns.severity] + (row[columns.doubt] ? "?" : ""),
                         "sev-" + row[columns.severity]),
        "Verdict": pill(row[columns.verdict], "verdict-" + row[columns.verdict]),
        "Account": make("span", "", row[columns.account]), "Region": make("span", "", row[columns.region]),
        "Stages": make("span", "", row[columns.stages]), "Method": make("span", "", row[columns.method]),
        "Path": make("span", "", row[columns.path]), "Auth": make("span", "", row[columns.auth]),
        "Authorizer": make("span", "", row[columns.authorizer]), "Token": make("span", "", row[columns.token]),
        "Scopes": make("span", "", row[columns.scopes]), "Policy": make("span", "", row[columns.policy]),
        "Traffic": make("span", "", row[columns.traffic]), "Callers passing": make("span", "", row[columns.callers])
      };
      var api = make("span", "", row[columns.api_name] + " ");
      api.appendChild(make("span", "muted mono", row[columns.api_id]));
      cells.API = api;
      var rules = make("span", "rules");
      row[columns.rules].forEach(function (rule) {
        var link = make("a", "", rule[0] + (rule[1] ? "?" : ""));
        link.href = "#rule=" + encodeURIComponent(rule[0]);
        rules.appendChild(link);
      });
      if (!row[columns.rules].length) { rules.textContent = "-"; }
      cells.Rules = rules;
      shown.forEach(function (name) {
        var cell = make("td", name === "Path" ? "path" : "");
        cell.appendChild(cells[name]);
        line.appendChild(cell);
      });
      fresh.appendChild(line);
    });
    body.parentNode.replaceChild(fresh, body);
  }

  function drawCauses() {
    var filters = wanted();
    var kept = causes.filter(function (cause) { return keepCause(cause, filters); });
    var list = document.getElementById("cause-list");
    list.textContent = "";
    document.getElementById("findings-title").textContent = "Findings by cause (" + kept.length + " of "
      + causes.length + " cause(s))";
    pager("cause-pager", kept.length, CAUSES, "causes", drawCauses);
    if (!kept.length) { list.appendChild(make("p", "muted", "No finding matches these filters.")); }
    kept.slice(state.causes * CAUSES, (state.causes + 1) * CAUSES).forEach(function (cause) {
      var article = make("article", "finding sev-" + cause.severity);
      article.setAttribute("data-rules", cause.rule);
      var heading = make("h3");
      heading.appendChild(pill(cause.label, "sev-" + cause.severity));
      heading.appendChild(document.createTextNode(" " + cause.rule + ": " + cause.title + cause["new"]));
      article.appendChild(heading);
      var places = cause.places.length ? " · on " + (cause.places.length + cause.more_places) + ": "
        + cause.places.join(", ") + (cause.more_places ? " … +" + cause.more_places + " more" : "") : "";
      article.appendChild(make("p", "where", cause.where + places));
      if (cause.source) { article.appendChild(make("p", "muted", "written at " + cause.source)); }
      cause.messages.forEach(function (message) { article.appendChild(make("p", "", message)); });
      if (cause.more_messages) {
        article.appendChild(make("p", "muted", "… and " + cause.more_messages + " more message(s) alike (the JSON "
          + "report has every finding)"));
      }
      var why = document.createElement("div");
      why.innerHTML = data.why[cause.rule] || "";  // escaped by the scanner: its own markup, never a name's
      article.appendChild(why);
      if (cause.fix) {
        var fix = make("p");
        fix.appendChild(make("strong", "", "Fix:"));
        fix.appendChild(document.createTextNode(" " + cause.fix));
        article.appendChild(fix);
      }
      cause.commands.forEach(function (block) {
        if (block[0]) { article.appendChild(make("p", "muted", "For " + block[0] + ":")); }
        block[1].forEach(function (command) {
          var box = make("div", "command");
          var pre = make("pre");
          pre.appendChild(make("code", "", command));
          box.appendChild(pre);
          var copy = make("button", "copy", "Copy");
          copy.type = "button";
          box.appendChild(copy);
          article.appendChild(box);
        });
      });
      if (cause.more_commands) {
        article.appendChild(make("p", "muted", "The commands for " + cause.more_commands + " other place(s): "
          + "apigw-scan … --details all, or the JSON report."));
      }
      list.appendChild(article);
    });
  }

  // An API's chain drawn from its data as the small report draws it: the picture (four columns of boxes, links as
  // curves) for wide screens and the tree that wraps for narrow ones.
  var SVG = "http://www.w3.org/2000/svg";
  var COLUMN_X = {method: 0, authorizer: 270, pool: 540, client: 810};
  var HEIGHTS = {method: 34, authorizer: 40, pool: 44, client: 50};
  var WIDTH = 230, GAP = 10;

  function svg(tag, attributes, text) {
    var element = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    if (text !== undefined) { element.textContent = text; }
    return element;
  }

  function titled(element, title) {
    element.appendChild(svg("title", {}, title));
    return element;
  }

  function picture(model) {
    var tops = {method: 22, authorizer: 22, pool: 22, client: 22};
    var nodes = model.nodes.map(function (node) {
      var kind = node[0];
      var placed = {kind: kind, x: COLUMN_X[kind], y: tops[kind], height: HEIGHTS[kind], node: node};
      tops[kind] += HEIGHTS[kind] + GAP;
      return placed;
    });
    var height = Math.max.apply(null, [40].concat(nodes.map(function (node) { return node.y + node.height; })));
    var extra = model.more > 0 ? 24 : 6;
    var root = svg("svg", {"class": "chain-picture", role: "img", viewBox: "0 0 1042 " + (height + extra),
                           "data-api": model.api, "aria-label": "chain of API " + model.name});
    [["Methods", 0], ["Authorizers", 270], ["User pools", 540], ["App clients (obtainable scopes)", 810]]
      .forEach(function (heading) {
        root.appendChild(svg("text", {"class": "heading", x: heading[1], y: 12}, heading[0]));
      });
    model.links.forEach(function (link) {
      var source = nodes[link[0]], target = nodes[link[1]];
      var x1 = source.x + WIDTH, y1 = source.y + source.height / 2, x2 = target.x, y2 = target.y + target.height / 2;
      var path = "M" + x1.toFixed(0) + "," + y1.toFixed(0) + " C" + (x1 + 20).toFixed(0) + "," + y1.toFixed(0) + " "
        + (x2 - 20).toFixed(0) + "," + y2.toFixed(0) + " " + x2.toFixed(0) + "," + y2.toFixed(0);
      root.appendChild(titled(svg("path", {"class": ("link " + link[2]).trim(), "data-rules": link[3], d: path}),
                              link[4]));
    });
    nodes.forEach(function (placed) {
      var node = placed.node;
      var group = titled(svg("g", {"class": ("node " + node[0] + " " + node[6]).trim()}), node[5]);
      group.appendChild(svg("rect", {x: placed.x, y: placed.y, width: WIDTH, height: placed.height, rx: 6}));
      group.appendChild(svg("text", {x: placed.x + 8, y: placed.y + 15}, node[3]));
      if (node[4]) { group.appendChild(svg("text", {"class": "sub", x: placed.x + 8, y: placed.y + 30}, node[4])); }
      root.appendChild(group);
    });
    if (model.more > 0) {
      root.appendChild(svg("text", {"class": "more", x: 0, y: height + 18},
                           "+" + model.more + " more methods (the table lists them)"));
    }
    return root;
  }

  function item(node) {
    var span = make("span", ("node " + node[0] + " " + node[6]).trim(), node[1]);
    span.title = node[5];
    if (node[2]) {
      span.appendChild(document.createTextNode(" "));
      span.appendChild(make("span", "sub", node[2]));
    }
    return span;
  }

  function tree(model) {
    var into = {}, out = {};
    model.links.forEach(function (link) {
      (out[link[0]] = out[link[0]] || []).push(link);
      (into[link[1]] = into[link[1]] || []).push(link);
    });
    function line(link, shown, below) {
      var entry = make("li", ("link " + link[2]).trim());
      entry.setAttribute("data-rules", link[3]);
      entry.title = link[4];
      entry.appendChild(item(model.nodes[shown]));
      if (link[3]) {
        entry.appendChild(document.createTextNode(" "));
        entry.appendChild(make("span", "rules", link[3]));
      }
      if (below && below.childNodes.length) { entry.appendChild(below); }
      return entry;
    }
    var root = make("ul", "chain-tree");
    model.nodes.forEach(function (node, position) {
      if (node[0] !== "authorizer") { return; }
      var entry = make("li");
      entry.appendChild(item(node));
      var callers = make("ul", "callers");
      (into[position] || []).forEach(function (link) { callers.appendChild(line(link, link[0])); });
      var pools = make("ul", "pools");
      (out[position] || []).forEach(function (link) {
        var clients = make("ul", "clients");
        (out[link[1]] || []).forEach(function (client) { clients.appendChild(line(client, client[1])); });
        pools.appendChild(line(link, link[1], clients));
      });
      if (callers.childNodes.length) { entry.appendChild(callers); }
      if (pools.childNodes.length) { entry.appendChild(pools); }
      root.appendChild(entry);
    });
    return root;
  }

  var unpacking = null;
  function draw(figure, position) {
    unpacking = unpacking || unpack("chain-data");
    var target = figure.querySelector(".drawn");
    target.textContent = "drawing…";
    unpacking.then(function (found) {
      var model = found[position];
      target.textContent = "";
      target.appendChild(picture(model));
      target.appendChild(tree(model));
      if (model.more > 0) { target.appendChild(make("p", "muted", "+" + model.more + " more methods (the table lists them)")); }
      if (model.others) {
        target.appendChild(make("p", "muted", model.others + " method(s) of this API use no authorizer drawn here."));
      }
      figure.querySelector("button.draw").hidden = true;
    }, function (error) { target.textContent = "The chain could not be unpacked: " + error; });
  }

  function drawChains() {
    var filters = wanted();
    var kept = chains.filter(function (item) { return keepChain(item, filters); });
    var list = document.getElementById("chain-list");
    list.textContent = "";
    pager("chain-pager", kept.length, CHAINS, "chains", drawChains);
    if (!kept.length) { list.appendChild(make("p", "muted", "No API with an authorizer matches these filters.")); }
    kept.slice(state.chains * CHAINS, (state.chains + 1) * CHAINS).forEach(function (item) {
      var figure = make("figure", "chain");
      figure.setAttribute("data-api", item.chain[1]);
      figure.appendChild(make("figcaption", "", item.chain[0]));
      var button = make("button", "draw", "Draw the chain");
      button.type = "button";
      button.addEventListener("click", function () { draw(figure, item.position); });
      figure.appendChild(button);
      figure.appendChild(make("div", "drawn"));
      list.appendChild(figure);
    });
  }

  function apply(write) {
    state.methods = 0;
    state.causes = 0;
    state.chains = 0;
    drawMethods();
    drawCauses();
    drawChains();
    if (write) { reportControls.writeAddress(wanted()); }
  }

  function start(found) {
    data = found[0];
    chainList = found[1];
    causes = data.causes;
    prepare();
    document.title = "apigw-scan report: " + rows.length + " method(s), " + causes.length + " cause(s) of findings";
    var head = document.querySelector("#method-table thead tr");
    shownHeaders().forEach(function (header) { head.appendChild(make("th", "", header[0])); });
    reportControls.wire(controls, apply);
    apply(false);
    document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    document.documentElement.setAttribute("data-ready", "true");
  }

  if (typeof DecompressionStream === "undefined") {
    document.getElementById("no-match").hidden = false;
    document.getElementById("no-match").textContent = "This browser cannot unpack the report's data "
      + "(DecompressionStream): open it in a current Chrome, Edge, Firefox or Safari, or read --format json.";
    return;
  }
  Promise.all([unpack("report-data"), unpack("chain-list")]).then(start, function (error) {
    document.getElementById("no-match").hidden = false;
    document.getElementById("no-match").textContent = "The report's data could not be unpacked: " + error;
  });
}());
