/* The query page of `kg serve`: runs the editor's query against /sparql and shows the answer.
   Every value from the answer goes into the page as text (textContent), never as markup.
   Body attributes for tests: data-kg-status (ready, running, results, error), data-kg-rows. */
(function () {
  "use strict";
  var queries = JSON.parse(document.getElementById("kg-queries").textContent);
  var prefixes = JSON.parse(document.getElementById("kg-prefixes").textContent);
  var select = document.getElementById("kg-saved");
  var editor = document.getElementById("kg-editor");
  var form = document.getElementById("kg-form");
  var status = document.getElementById("kg-status");
  var description = document.getElementById("kg-description");
  var results = document.getElementById("kg-results");
  var body = document.body;

  function state(name, rows) {
    body.dataset.kgStatus = name;
    if (rows !== undefined) { body.dataset.kgRows = String(rows); }
  }

  function compact(iri) {
    for (var name in prefixes) {
      var ns = prefixes[name];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) { return name + ":" + iri.slice(ns.length); }
    }
    return iri;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function cell(term) {
    var td = element("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = element("a", compact(term.value));
      a.href = "/entity?iri=" + encodeURIComponent(term.value);
      a.title = term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else if (term.type === "triple") {
      td.textContent = "<< " + [term.value.subject, term.value.predicate, term.value.object]
        .map(function (t) { return t.value; }).join(" ") + " >>";
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) {
        td.appendChild(element("span", "@" + term["xml:lang"], "kg-lang"));
      } else if (term.datatype) {
        td.appendChild(element("span", compact(term.datatype), "kg-dt"));
      }
    }
    return td;
  }

  function clear() {
    while (results.firstChild) { results.removeChild(results.firstChild); }
  }

  function showTable(data) {
    clear();
    if (typeof data.boolean === "boolean") {
      results.appendChild(element("pre", data.boolean ? "true" : "false"));
      return 1;
    }
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    var table = element("table");
    table.id = "kg-table";
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) { head.appendChild(element("th", v)); });
    var tbody = element("tbody");
    rows.forEach(function (row) {
      var tr = element("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    results.appendChild(table);
    return rows.length;
  }

  function showText(text, className) {
    clear();
    results.appendChild(element("pre", text, className));
  }

  function run() {
    var started = performance.now();
    state("running");
    status.textContent = "running…";
    fetch("/sparql", {
      method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: editor.value
    }).then(function (response) {
      return response.text().then(function (text) {
        var took = Math.round(performance.now() - started) + " ms";
        if (!response.ok) {
          showText(text, "kg-error");
          status.textContent = "HTTP " + response.status + " in " + took;
          state("error");
          return;
        }
        var type = response.headers.get("Content-Type") || "";
        var rows;
        if (type.indexOf("json") >= 0) {
          rows = showTable(JSON.parse(text));
        } else {
          showText(text);
          rows = text.split("\n").filter(function (line) { return /\S/.test(line); }).length;
        }
        status.textContent = rows + (rows === 1 ? " row" : " rows") + " in " + took;
        state("results", rows);
      });
    }).catch(function (error) {
      showText(String(error), "kg-error");
      status.textContent = "failed";
      state("error");
    });
  }

  select.addEventListener("change", function () {
    var saved = queries[select.value];
    if (saved) {
      editor.value = saved.text;
      description.textContent = saved.description;
    }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  });
  if (new URLSearchParams(window.location.search).get("run") === "1") { run(); }
})();
